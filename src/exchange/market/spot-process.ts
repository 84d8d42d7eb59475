import { hhmmToMinutes, istMinutesOf, MARKET_CLOSE, MARKET_OPEN } from '../../domain/calendar';
import type { Underlying } from '../../domain/types';
import { gaussian, type Rng } from './rng';

/** Annualised base volatility; the intraday curve scales it to roughly 8-30%. */
export const BASE_VOL: Record<Underlying, number> = {
  NIFTY: 0.12,
  BANKNIFTY: 0.15,
  FINNIFTY: 0.14,
};

const OPEN_MIN = hhmmToMinutes(MARKET_OPEN);
const CLOSE_MIN = hhmmToMinutes(MARKET_CLOSE);
/** Trading time only: 252 sessions of 375 minutes make a year. */
export const TRADING_YEAR_MS = 252 * (CLOSE_MIN - OPEN_MIN) * 60_000;

/**
 * The U-shaped intraday volatility curve: busiest at the open and the close,
 * quietest around lunch. Averages about 1.1 over the session; 1 outside it
 * (the always-open session keeps moving at the base rate).
 */
export function intradayVolMultiplier(istMinutes: number): number {
  if (istMinutes < OPEN_MIN || istMinutes >= CLOSE_MIN) return 1;
  const x = (istMinutes - OPEN_MIN) / (CLOSE_MIN - OPEN_MIN);
  return 0.6 + 1.6 * (2 * x - 1) ** 2;
}

export const volAt = (u: Underlying, epochMs: number): number =>
  BASE_VOL[u] * intradayVolMultiplier(istMinutesOf(epochMs));

/** Driftless geometric Brownian motion over `dtMs` of wall time. */
export function nextSpot(spot: number, vol: number, dtMs: number, rng: Rng): number {
  if (dtMs <= 0) return spot;
  const sd = vol * Math.sqrt(dtMs / TRADING_YEAR_MS);
  return spot * Math.exp(sd * gaussian(rng) - 0.5 * sd * sd);
}
