import { EMA, MACD, type MACDResult } from 'trading-signals';
import type { StrategyParams } from '../../config/schema';
import { averageRange, crossedAbove, crossedBelow, pct, round4, strengthOf } from './math';
import type { Strategy } from './types';

type Params = StrategyParams['macdCrossover'];

/**
 * MACD crossover: LONG when the MACD line crosses above its signal line
 * (histogram turns positive), SHORT when it crosses below. Strength grows
 * with the histogram's jump relative to the average candle range (a decisive
 * cross, not a wobble around zero); a trend signal expects two average
 * candle ranges of follow-through.
 */
export const macdCrossover: Strategy<Params> = {
  // The signal line is an EMA of MACD values, which start after `slow` closes.
  minCandles: (p) => p.slow + p.signal,
  evaluate(candles, p) {
    const macd = new MACD(new EMA(p.fast), new EMA(p.slow), new EMA(p.signal));
    const settled = macd
      .updates(candles.map((c) => c.close))
      .slice(p.slow + p.signal - 2)
      .filter((v): v is MACDResult => v !== null);
    if (settled.length < 2) return { indicators: {} };
    const [prev, last] = settled.slice(-2);
    const indicators = {
      macd: round4(last.macd),
      signal: round4(last.signal),
      histogram: round4(last.histogram),
    };
    const close = candles[candles.length - 1].close;
    const range = averageRange(candles, p.slow);
    const conviction = range > 0 ? Math.abs(last.histogram - prev.histogram) / range : 0;
    const base = { strength: strengthOf(conviction), expectedMovePct: pct(2 * range, close) };
    if (crossedAbove(prev.histogram, last.histogram, 0))
      return {
        indicators,
        signal: { ...base, direction: 'LONG', reason: 'MACD crossed above its signal line' },
      };
    if (crossedBelow(prev.histogram, last.histogram, 0))
      return {
        indicators,
        signal: { ...base, direction: 'SHORT', reason: 'MACD crossed below its signal line' },
      };
    return { indicators };
  },
};
