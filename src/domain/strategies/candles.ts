import type { RunnerConfig } from '../../config/schema';
import type { Candle } from './types';

const MINUTE = 60_000;
const IST_OFFSET_MS = 330 * MINUTE;

export const INTERVAL_MS: Record<RunnerConfig['interval'], number> = {
  minute: MINUTE,
  '3minute': 3 * MINUTE,
  '5minute': 5 * MINUTE,
  '10minute': 10 * MINUTE,
  '15minute': 15 * MINUTE,
  '30minute': 30 * MINUTE,
  '60minute': 60 * MINUTE,
};

/** The Kite interval name for a candle length, if Kite has one. */
export const kiteIntervalOf = (intervalMs: number): RunnerConfig['interval'] | undefined =>
  (Object.keys(INTERVAL_MS) as RunnerConfig['interval'][]).find(
    (k) => INTERVAL_MS[k] === intervalMs,
  );

/**
 * The first candle close strictly after `now`. Candles are aligned to
 * `anchor` (the session open), as Kite aligns 3/5/15-minute candles to 09:15.
 */
export function nextCandleClose(now: number, anchor: number, intervalMs: number): number {
  return anchor + (Math.floor((now - anchor) / intervalMs) + 1) * intervalMs;
}

/**
 * The rule for what a strategy may see: a candle is closed when its close
 * (`time + interval`) is at or before `asOf`. A broker's history also holds
 * the still-forming candle, whose values change until it closes; evaluating
 * it would fire signals that the closed candle might not confirm.
 */
export const closedCandles = (candles: readonly Candle[], intervalMs: number, asOf: number) =>
  candles.filter((c) => c.time + intervalMs <= asOf);

/**
 * The still-forming candle at `asOf` brought up to date with the live price,
 * for display only: the broker's partial candle if it has one, else a candle
 * opened at the live price.
 */
export function formingCandle(candles: readonly Candle[], asOf: number, lastPrice: number): Candle {
  const partial = candles.find((c) => c.time === asOf);
  if (!partial)
    return {
      time: asOf,
      open: lastPrice,
      high: lastPrice,
      low: lastPrice,
      close: lastPrice,
      volume: 0,
    };
  return {
    ...partial,
    high: Math.max(partial.high, lastPrice),
    low: Math.min(partial.low, lastPrice),
    close: lastPrice,
  };
}

/** `2026-01-14T09:20:00` in IST: readable in ids and the Web UI, and unique per candle down to the second. */
export const istTimestamp = (epochMs: number): string =>
  new Date(epochMs + IST_OFFSET_MS).toISOString().slice(0, 19);

/**
 * `<strategy>-<underlying>-<IST candle close>`: a retried or repeated
 * evaluation of the same candle yields the same id, hence the same
 * `pos-<id>` workflow, so it can never trade twice.
 */
export const strategySignalId = (strategy: string, underlying: string, closeAt: number): string =>
  `${strategy}-${underlying}-${istTimestamp(closeAt)}`;
