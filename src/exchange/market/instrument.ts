import { isMonthlyExpiry, monthlyExpiries, weeklyExpiries } from '../../domain/calendar';
import { exchangeTokenOf, optionToken, UNDERLYING_SPECS } from '../../domain/instruments';
import { optionSymbol } from '../../domain/symbols';
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

/** Listed expiries: four weeklies where the index has them, plus three monthlies. */
export function listedExpiries(u: Underlying, today: string): string[] {
  const weeklies = UNDERLYING_SPECS[u].hasWeeklies ? weeklyExpiries(today, 4) : [];
  return [...new Set([...weeklies, ...monthlyExpiries(today, 3)])].sort();
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
    const spec = UNDERLYING_SPECS[u];
    out.push(indexInstrument(u));
    const atm = Math.round(spots[u] / spec.strikeStep) * spec.strikeStep;
    for (const expiry of listedExpiries(u, today)) {
      const monthly = isMonthlyExpiry(expiry);
      for (let i = -strikesAroundSpot; i <= strikesAroundSpot; i++) {
        const strike = atm + i * spec.strikeStep;
        for (const optionType of ['CE', 'PE'] as const) {
          const token = optionToken({ underlying: u, expiry, strike, optionType });
          out.push({
            token,
            exchangeToken: exchangeTokenOf(token),
            tradingsymbol: optionSymbol({ underlying: u, expiry, strike, optionType, monthly }),
            name: u,
            exchange: 'NFO',
            segment: 'NFO-OPT',
            instrumentType: optionType,
            underlying: u,
            expiry,
            strike,
            lotSize: spec.lotSize,
            tickSize: spec.tickSize,
          });
        }
      }
    }
  }
  return out;
}
