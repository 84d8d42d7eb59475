import type { Candle } from '../../../src/domain/strategies';

/**
 * Candles from closes: each opens at the previous close and wicks half a
 * point beyond its body, so every range is easy to work out by hand.
 */
export function candlesFrom(closes: number[], intervalMs = 60_000): Candle[] {
  return closes.map((close, i) => {
    const open = i === 0 ? close : closes[i - 1];
    return {
      time: i * intervalMs,
      open,
      high: Math.max(open, close) + 0.5,
      low: Math.min(open, close) - 0.5,
      close,
      volume: 1_000,
    };
  });
}

/** `count` closes from `start`, stepping by `step`. */
export const ramp = (start: number, count: number, step: number): number[] =>
  Array.from({ length: count }, (_, i) => start + i * step);

/**
 * RSI(14) oversold reversal: 14 one-point falls pin RSI at 0, then a 6-point
 * rise gives avgGain 6/14 and avgLoss 13/14 (Wilder), RS = 6/13 and
 * RSI = 100 - 100 / (1 + 6/13) = 31.58: back above 30.
 */
export const RSI_LONG_PATH = [...ramp(115, 15, -1), 107];
