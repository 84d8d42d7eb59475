import { istEpoch, MARKET_CLOSE } from '../../domain/calendar';
import { roundToTick } from '../../domain/money';
import { black76Price } from '../../domain/pricing';
import type { OptionType, UnderlyingSpec } from '../../domain/types';

export const RISK_FREE_RATE = 0.065;
const YEAR_MS = 365 * 86_400_000;
const TICK = 0.05;

export interface OptionTerms {
  expiry: string;
  strike: number;
  optionType: OptionType;
}

export interface OptionPrice {
  ltp: number;
  bid: number;
  ask: number;
}

/** Each expiry's close, parsed once: the exchange reprices every contract several times a second. */
const expiryCloses = new Map<string, number>();

export function yearsToExpiry(expiry: string, nowMs: number): number {
  let close = expiryCloses.get(expiry);
  if (close === undefined) expiryCloses.set(expiry, (close = istEpoch(expiry, MARKET_CLOSE)));
  return Math.max(0, (close - nowMs) / YEAR_MS);
}

export const forwardOf = (spot: number, years: number): number =>
  spot * Math.exp(RISK_FREE_RATE * years);

/**
 * Index-option smile: a parabola in standardised log-moneyness with a put
 * skew, so OTM puts carry more volatility than OTM calls.
 */
export function smileVol(atmVol: number, forward: number, strike: number, years: number): number {
  const z = Math.log(strike / forward) / (atmVol * Math.sqrt(Math.max(years, 1 / 365)));
  return atmVol * (1 + 0.04 * z * z - 0.06 * z);
}

/**
 * Mid from Black-76 on the synthetic forward; the quoted spread widens by a
 * tick every three strikes away from the money, as real books thin out.
 */
export function priceOption(
  spec: UnderlyingSpec,
  terms: OptionTerms,
  spot: number,
  atmVol: number,
  nowMs: number,
): OptionPrice {
  const years = yearsToExpiry(terms.expiry, nowMs);
  const forward = forwardOf(spot, years);
  const vol = smileVol(atmVol, forward, terms.strike, years);
  const mid = black76Price({
    forward,
    strike: terms.strike,
    years,
    vol,
    rate: RISK_FREE_RATE,
    optionType: terms.optionType,
  });
  const spreadTicks = 1 + Math.floor(Math.abs(terms.strike - forward) / spec.strikeStep / 3);
  const bid = Math.max(TICK, roundToTick(mid - (spreadTicks * TICK) / 2, TICK, 'down'));
  const ask = roundToTick(bid + spreadTicks * TICK);
  const ltp = Math.min(ask, Math.max(bid, roundToTick(mid)));
  return { ltp, bid, ask };
}
