import { RSI } from 'trading-signals';
import type { StrategyParams } from '../../config/schema';
import { crossedAbove, crossedBelow, pct, round4, strengthOf } from './math';
import type { Strategy } from './types';

type Params = StrategyParams['rsiReversal'];

/**
 * RSI reversal: LONG when Wilder's RSI climbs back above `oversold`, SHORT
 * when it falls back below `overbought`. Waiting for the cross back (rather
 * than firing while RSI is extreme) lets the selloff or rally exhaust first.
 * Strength grows with how extreme RSI got over the last `period` candles; the
 * expected move is a 50% retracement of the swing since that window's
 * extreme close.
 */
export const rsiReversal: Strategy<Params> = {
  minCandles: (p) => p.period + 2,
  evaluate(candles, p) {
    const closes = candles.map((c) => c.close);
    const rsi = new RSI(p.period);
    const values = rsi.updates(closes).filter((v): v is number => v !== null);
    if (values.length < 2) return { indicators: {} };
    const [prev, last] = values.slice(-2);
    const close = closes[closes.length - 1];
    const window = values.slice(-p.period);
    const swing = closes.slice(-p.period - 1);
    const indicators = { rsi: round4(last) };
    if (crossedAbove(prev, last, p.oversold)) {
      const trough = Math.min(...window);
      return {
        indicators,
        signal: {
          direction: 'LONG',
          strength: strengthOf((p.oversold - trough) / p.oversold),
          expectedMovePct: pct((Math.max(...swing) - close) / 2, close),
          reason: `RSI(${p.period}) crossed above ${p.oversold} from a low of ${round4(trough)}`,
        },
      };
    }
    if (crossedBelow(prev, last, p.overbought)) {
      const peak = Math.max(...window);
      return {
        indicators,
        signal: {
          direction: 'SHORT',
          strength: strengthOf((peak - p.overbought) / (100 - p.overbought)),
          expectedMovePct: pct((close - Math.min(...swing)) / 2, close),
          reason: `RSI(${p.period}) crossed below ${p.overbought} from a high of ${round4(peak)}`,
        },
      };
    }
    return { indicators };
  },
};
