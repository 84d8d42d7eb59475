import {
  hhmmToMinutes,
  isTradingDay,
  istEpoch,
  MARKET_CLOSE,
  MARKET_OPEN,
  previousTradingDay,
} from '../../domain/calendar';
import { UNDERLYING_SPECS } from '../../domain/instruments';
import { FACTS_START, lotSizeOf } from '../../domain/market-facts';
import type { Underlying } from '../../domain/types';
import { gaussian, hashSeed, mulberry32 } from './rng';
import { BASE_VOL, nextSpot, volAt } from './spot-process';
import type { Candle } from '../../domain/strategies/types';

/**
 * Simulated past: a deterministic function of (seed, underlying, date), so
 * historical candles never need storing and agree across restarts.
 */
export type { Candle };

export const SESSION_MINUTES = hhmmToMinutes(MARKET_CLOSE) - hhmmToMinutes(MARKET_OPEN);
const ANCHOR_DATE = '2025-01-01';
const SUBSTEPS = 4;

const openCache = new Map<string, number>();

/** Day opens chain from the anchor with a daily random return; overnight gaps come free. */
export function dayOpen(seed: number, u: Underlying, date: string): number {
  if (date <= ANCHOR_DATE) return UNDERLYING_SPECS[u].referenceSpot;
  const key = `${seed}|${u}|${date}`;
  const cached = openCache.get(key);
  if (cached !== undefined) return cached;
  const prev = previousTradingDay(date);
  const z = gaussian(mulberry32(hashSeed(seed, u, prev, 'day')));
  const sd = BASE_VOL[u] / Math.sqrt(252);
  const value = dayOpen(seed, u, prev) * Math.exp(sd * z);
  openCache.set(key, value);
  return value;
}

/** The session's minute candles (09:15 to 15:29), or none on a holiday. */
export function minuteCandles(seed: number, u: Underlying, date: string): Candle[] {
  if (!isTradingDay(date)) return [];
  const rng = mulberry32(hashSeed(seed, u, date, 'minutes'));
  const start = istEpoch(date, MARKET_OPEN);
  // Volume in whole lots of a contract expiring that day; a simulated day before the table's
  // start (the look-back of an exchange dated early 2024) uses its first lot.
  const lot = lotSizeOf(u, date < FACTS_START ? FACTS_START : date, 'monthly');
  const out: Candle[] = [];
  let spot = dayOpen(seed, u, date);
  for (let m = 0; m < SESSION_MINUTES; m++) {
    const time = start + m * 60_000;
    const open = spot;
    let high = spot;
    let low = spot;
    for (let s = 0; s < SUBSTEPS; s++) {
      spot = nextSpot(spot, volAt(u, time), 60_000 / SUBSTEPS, rng);
      high = Math.max(high, spot);
      low = Math.min(low, spot);
    }
    out.push({ time, open, high, low, close: spot, volume: lot * Math.floor(1 + rng() * 400) });
  }
  return out;
}

/**
 * The simulated spot as the minute holding `epochMs` opens: the previous
 * minute's close, or the last session's close outside hours. A live market
 * starting from it continues the simulated past without a jump.
 */
export function historicalSpot(seed: number, u: Underlying, epochMs: number, date: string): number {
  const day =
    isTradingDay(date) && epochMs >= istEpoch(date, MARKET_OPEN) ? date : previousTradingDay(date);
  const candles = minuteCandles(seed, u, day);
  const minute = Math.floor((epochMs - istEpoch(day, MARKET_OPEN)) / 60_000);
  return minute < candles.length ? candles[minute].open : candles[candles.length - 1].close;
}
