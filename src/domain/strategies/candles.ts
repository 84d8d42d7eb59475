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
 * The open of the candle holding `time`. Candles are aligned to `anchor`
 * (the session open), as Kite aligns 3/5/15-minute candles to 09:15; an
 * instant before the anchor falls in a candle counted back from it.
 */
export const candleStart = (time: number, anchor: number, intervalMs: number): number =>
  anchor + Math.floor((time - anchor) / intervalMs) * intervalMs;

/** The first candle close strictly after `now`. */
export const nextCandleClose = (now: number, anchor: number, intervalMs: number): number =>
  candleStart(now, anchor, intervalMs) + intervalMs;

/** The candle opening at `time` after one more print: a new candle for the first print. */
export function withPrint(
  candle: Candle | undefined,
  time: number,
  price: number,
  volume = 0,
): Candle {
  if (!candle) return { time, open: price, high: price, low: price, close: price, volume };
  return {
    time: candle.time,
    open: candle.open,
    high: Math.max(candle.high, price),
    low: Math.min(candle.low, price),
    close: price,
    volume: candle.volume + volume,
  };
}

/**
 * Shorter candles (oldest first) folded into candles of `intervalMs` aligned
 * to `anchor`. Grouping is by alignment, not by count, so a gap in the input
 * shortens one candle instead of shifting every later one.
 */
export function aggregateCandles(
  candles: readonly Candle[],
  intervalMs: number,
  anchor: number,
): Candle[] {
  const out: Candle[] = [];
  for (const c of candles) {
    const time = candleStart(c.time, anchor, intervalMs);
    const last = out[out.length - 1];
    if (last?.time !== time) {
      out.push({ ...c, time });
      continue;
    }
    out[out.length - 1] = {
      time,
      open: last.open,
      high: Math.max(last.high, c.high),
      low: Math.min(last.low, c.low),
      close: c.close,
      volume: last.volume + c.volume,
    };
  }
  return out;
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
export const formingCandle = (
  candles: readonly Candle[],
  asOf: number,
  lastPrice: number,
): Candle =>
  withPrint(
    candles.find((c) => c.time === asOf),
    asOf,
    lastPrice,
  );

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
