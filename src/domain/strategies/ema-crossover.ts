import { EMA } from 'trading-signals';
import type { StrategyParams } from '../../config/schema';
import { averageRange, crossedAbove, crossedBelow, pct, round4, strengthOf } from './math';
import type { Strategy } from './types';

type Params = StrategyParams['emaCrossover'];

/**
 * EMA crossover: LONG when the fast EMA crosses above the slow one, SHORT
 * when it crosses below. Strength grows with the gap the cross opened,
 * relative to the average candle range; like MACD, it expects two average
 * candle ranges of follow-through.
 */
export const emaCrossover: Strategy<Params> = {
  minCandles: (p) => Math.max(p.fast, p.slow) + 1,
  evaluate(candles, p) {
    const closes = candles.map((c) => c.close);
    const fast = new EMA(p.fast).updates(closes);
    const slow = new EMA(p.slow).updates(closes);
    // Both EMAs seed from the first close; only values after `slow` closes have settled.
    if (closes.length < Math.max(p.fast, p.slow) + 1) return { indicators: {} };
    const gap = (i: number) => fast[i]! - slow[i]!;
    const [prev, last] = [gap(closes.length - 2), gap(closes.length - 1)];
    const indicators = {
      fast: round4(fast[closes.length - 1]!),
      slow: round4(slow[closes.length - 1]!),
    };
    const close = closes[closes.length - 1];
    const range = averageRange(candles, p.slow);
    const base = {
      strength: strengthOf(range > 0 ? Math.abs(last) / range : 0),
      expectedMovePct: pct(2 * range, close),
    };
    if (crossedAbove(prev, last, 0))
      return {
        indicators,
        signal: {
          ...base,
          direction: 'LONG',
          reason: `EMA(${p.fast}) crossed above EMA(${p.slow})`,
        },
      };
    if (crossedBelow(prev, last, 0))
      return {
        indicators,
        signal: {
          ...base,
          direction: 'SHORT',
          reason: `EMA(${p.fast}) crossed below EMA(${p.slow})`,
        },
      };
    return { indicators };
  },
};
