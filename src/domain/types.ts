import type { Underlying } from '../config/schema';

export type { Underlying };
export type OptionType = 'CE' | 'PE';
/** LONG buys a call, SHORT buys a put: the system only ever buys premium. */
export type Direction = 'LONG' | 'SHORT';

/**
 * What does not change by date. Lot sizes, freeze limits and which expiries
 * exist do: see market-facts.ts.
 */
export interface UnderlyingSpec {
  name: Underlying;
  /** Kite's index tradingsymbol on NSE, e.g. "NIFTY 50". */
  indexSymbol: string;
  indexToken: number;
  tickSize: number;
  strikeStep: number;
  /** Where the simulator's spot starts. */
  referenceSpot: number;
}

/** One option contract as the instruments dump describes it. */
export interface OptionContract {
  token: number;
  tradingSymbol: string;
  underlying: Underlying;
  expiry: string; // YYYY-MM-DD
  strike: number;
  optionType: OptionType;
  lotSize: number;
  tickSize: number;
}

export interface OptionQuote extends OptionContract {
  ltp: number;
  bid: number;
  ask: number;
  /** Black-76 delta from the quote's implied volatility, calls positive, puts negative. */
  delta?: number;
}

export interface OptionChain {
  underlying: Underlying;
  spot: number;
  expiry: string;
  /** Epoch ms of the quotes. */
  asOf: number;
  options: OptionQuote[];
}
