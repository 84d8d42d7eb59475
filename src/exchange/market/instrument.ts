import { isMonthlyExpiry, monthlyExpiries, weeklyExpiries } from '../../domain/calendar';
import { exchangeTokenOf, optionToken, UNDERLYING_SPECS } from '../../domain/instruments';
import { expiryRulesOn, lotSizeOf } from '../../domain/market-facts';
import { optionSymbol, parseOptionSymbol, type OptionSymbolParts } from '../../domain/symbols';
import type { OptionType, Underlying } from '../../domain/types';

/** One row of the instruments dump, in our own spelling. */
export interface Instrument {
  token: number;
  exchangeToken: number;
  tradingsymbol: string;
  name: string;
  exchange: 'NFO' | 'NSE';
  segment: 'NFO-OPT' | 'INDICES';
  instrumentType: OptionType | 'EQ';
  underlying: Underlying;
  /** YYYY-MM-DD, empty for indices. */
  expiry: string;
  strike: number;
  lotSize: number;
  tickSize: number;
}

export const isOption = (i: Instrument): boolean => i.instrumentType !== 'EQ';
export const instrumentKey = (i: Pick<Instrument, 'exchange' | 'tradingsymbol'>): string =>
  `${i.exchange}:${i.tradingsymbol}`;

function indexInstrument(u: Underlying): Instrument {
  const spec = UNDERLYING_SPECS[u];
  return {
    token: spec.indexToken,
    exchangeToken: exchangeTokenOf(spec.indexToken),
    tradingsymbol: spec.indexSymbol,
    name: spec.indexSymbol,
    exchange: 'NSE',
    segment: 'INDICES',
    instrumentType: 'EQ',
    underlying: u,
    expiry: '',
    strike: 0,
    lotSize: 0,
    tickSize: 0,
  };
}

/**
 * Listed expiries under the rule in force on `today`: four weeklies where
 * the index had them that day, plus three monthlies.
 */
export function listedExpiries(u: Underlying, today: string): string[] {
  return [...new Set([...weeklyExpiries(today, 4, u), ...monthlyExpiries(today, 3, u)])].sort();
}

/** One option contract's dump row; its lot is the one of its expiry (revisions apply to new contracts). */
function optionInstrument(c: OptionSymbolParts): Instrument {
  const token = optionToken(c);
  return {
    token,
    exchangeToken: exchangeTokenOf(token),
    tradingsymbol: optionSymbol(c),
    name: c.underlying,
    exchange: 'NFO',
    segment: 'NFO-OPT',
    instrumentType: c.optionType,
    underlying: c.underlying,
    expiry: c.expiry,
    strike: c.strike,
    lotSize: lotSizeOf(c.underlying, c.expiry, c.monthly ? 'monthly' : 'weekly'),
    tickSize: UNDERLYING_SPECS[c.underlying].tickSize,
  };
}

/** The contract a Kite tradingsymbol names, listed or not: how a restart finds yesterday's. */
export function instrumentOfSymbol(tradingsymbol: string): Instrument | undefined {
  const parts = parseOptionSymbol(tradingsymbol);
  return parts ? optionInstrument(parts) : undefined;
}

/**
 * The day's contract list, like Kite's morning dump: strikes are fixed around
 * the spot at listing time and do not follow the market intraday.
 */
export function listInstruments(
  spots: Record<Underlying, number>,
  today: string,
  strikesAroundSpot: number,
): Instrument[] {
  const out: Instrument[] = [];
  for (const u of Object.keys(UNDERLYING_SPECS) as Underlying[]) {
    const { strikeStep } = UNDERLYING_SPECS[u];
    out.push(indexInstrument(u));
    const atm = Math.round(spots[u] / strikeStep) * strikeStep;
    const rule = expiryRulesOn(u, today);
    for (const expiry of listedExpiries(u, today)) {
      const monthly = isMonthlyExpiry(expiry, rule);
      for (let i = -strikesAroundSpot; i <= strikesAroundSpot; i++) {
        const strike = atm + i * strikeStep;
        for (const optionType of ['CE', 'PE'] as const)
          out.push(optionInstrument({ underlying: u, expiry, strike, optionType, monthly }));
      }
    }
  }
  return out;
}
