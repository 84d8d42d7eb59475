import { BollingerBands } from 'trading-signals';
import type { StrategyParams } from '../../config/schema';
import { pct, round4, strengthOf } from './math';
import type { Strategy } from './types';

type Params = StrategyParams['bollingerBreakout'];

/**
 * Bollinger breakout: LONG when a close breaks above the upper band (after
 * the previous close was inside it), SHORT when one breaks below the lower.
 * The bands include the breaking close, as is standard. Strength grows with
 * how far the close got past the band, measured in band widths
 * (upper - middle); the expected move is one band width.
 */
export const bollingerBreakout: Strategy<Params> = {
  minCandles: (p) => p.period + 1,
  evaluate(candles, p) {
    const closes = candles.map((c) => c.close);
    const bands = new BollingerBands(p.period, p.stdDev).updates(closes);
    const [prevBand, lastBand] = bands.slice(-2);
    if (!prevBand || !lastBand) return { indicators: {} };
    const [prevClose, close] = closes.slice(-2);
    const indicators = {
      upper: round4(lastBand.upper),
      middle: round4(lastBand.middle),
      lower: round4(lastBand.lower),
    };
    const width = lastBand.upper - lastBand.middle;
    if (width <= 0) return { indicators };
    const expectedMovePct = pct(width, close);
    if (prevClose <= prevBand.upper && close > lastBand.upper)
      return {
        indicators,
        signal: {
          direction: 'LONG',
          strength: strengthOf((close - lastBand.upper) / width),
          expectedMovePct,
          reason: `close ${close} broke above the upper band ${round4(lastBand.upper)}`,
        },
      };
    if (prevClose >= prevBand.lower && close < lastBand.lower)
      return {
        indicators,
        signal: {
          direction: 'SHORT',
          strength: strengthOf((lastBand.lower - close) / width),
          expectedMovePct,
          reason: `close ${close} broke below the lower band ${round4(lastBand.lower)}`,
        },
      };
    return { indicators };
  },
};
