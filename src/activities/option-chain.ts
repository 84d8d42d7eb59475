import type { Instrument, Quote } from '../adapters/kite/types';
import { istEpoch } from '../domain/calendar';
import { black76Delta, impliedVol } from '../domain/pricing';
import type { OptionQuote, OptionType, Underlying } from '../domain/types';

const YEAR_MS = 365 * 86_400_000;

/** Index options of one underlying still alive on `today`, as listed in the NFO dump. */
export const liveOptions = (
  nfo: readonly Instrument[],
  underlying: Underlying,
  today: string,
): Instrument[] =>
  nfo.filter(
    (i) =>
      i.name === underlying &&
      (i.instrumentType === 'CE' || i.instrumentType === 'PE') &&
      i.expiry !== null &&
      i.expiry >= today,
  );

export const expiriesOf = (options: readonly Instrument[]): string[] =>
  [...new Set(options.map((o) => o.expiry as string))].sort();

/** Contracts of the `strikesAround` strikes either side of the one nearest spot (both CE and PE). */
export function strikeWindow(
  options: readonly Instrument[],
  spot: number,
  strikesAround: number,
): Instrument[] {
  const strikes = [...new Set(options.map((o) => o.strike))].sort((a, b) => a - b);
  if (strikes.length === 0) return [];
  const atm = strikes.reduce(
    (best, s, i) => (Math.abs(s - spot) < Math.abs(strikes[best] - spot) ? i : best),
    0,
  );
  const keep = new Set(strikes.slice(Math.max(0, atm - strikesAround), atm + strikesAround + 1));
  return options
    .filter((o) => keep.has(o.strike))
    .sort((a, b) => a.strike - b.strike || a.instrumentType.localeCompare(b.instrumentType));
}

/**
 * Delta from the volatility the market price implies (Black-76 on spot, no
 * carry or rate: a strike selector's accuracy, not a risk system's).
 * Undefined when the price is at or below intrinsic, where no volatility fits.
 */
export function impliedDelta(p: {
  price: number;
  spot: number;
  strike: number;
  years: number;
  optionType: OptionType;
}): number | undefined {
  const base = {
    forward: p.spot,
    strike: p.strike,
    years: p.years,
    rate: 0,
    optionType: p.optionType,
  };
  const vol = impliedVol({ ...base, price: p.price }, 1e-6);
  return vol === undefined ? undefined : black76Delta({ ...base, vol });
}

export function toOptionQuote(
  i: Instrument,
  underlying: Underlying,
  quote: Quote | undefined,
  spot: number,
  now: number,
): OptionQuote {
  const optionType = i.instrumentType as OptionType;
  const ltp = quote?.ltp ?? 0;
  const years = (istEpoch(i.expiry as string, '15:30') - now) / YEAR_MS;
  const delta =
    ltp > 0 ? impliedDelta({ price: ltp, spot, strike: i.strike, years, optionType }) : undefined;
  return {
    token: i.token,
    tradingSymbol: i.tradingsymbol,
    underlying,
    expiry: i.expiry as string,
    strike: i.strike,
    optionType,
    lotSize: i.lotSize,
    tickSize: i.tickSize,
    ltp,
    // An empty side of the book reads as 0, which no price band accepts.
    bid: quote?.bid ?? 0,
    ask: quote?.ask ?? 0,
    ...(delta !== undefined && { delta }),
  };
}
