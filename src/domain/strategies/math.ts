import type { Candle } from './types';

export const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

/** Strength on the 0-10 scale: 5 for a bare trigger, up to 10 as `conviction` reaches 1. */
export const strengthOf = (conviction: number): number =>
  Math.round((5 + 5 * clamp01(conviction)) * 10) / 10;

/** Percent with two decimals: enough for display and for comparing with config thresholds. */
export const pct = (part: number, whole: number): number =>
  Math.round((10_000 * part) / whole) / 100;

/** Mean high-low range of the last `lookback` candles: the market's recent step size. */
export function averageRange(candles: readonly Candle[], lookback: number): number {
  const recent = candles.slice(-lookback);
  return recent.reduce((sum, c) => sum + (c.high - c.low), 0) / recent.length;
}

/** Rounds indicator values for display; four decimals keep small oscillator values readable. */
export const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

/** True when `series` went from at-or-below `level` to above it on its last step. */
export const crossedAbove = (prev: number, last: number, level: number): boolean =>
  prev <= level && last > level;
export const crossedBelow = (prev: number, last: number, level: number): boolean =>
  prev >= level && last < level;
