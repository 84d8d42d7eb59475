import type { StrategyParams } from '../../config/schema';
import { bollingerBreakout } from './bollinger-breakout';
import { emaCrossover } from './ema-crossover';
import { macdCrossover } from './macd-crossover';
import { rsiReversal } from './rsi-reversal';
import type { Strategy } from './types';

/**
 * Every strategy the runner can run, keyed by the name used in configuration
 * (`runner.strategies.<name>`), in signal ids and in the Strategy search
 * attribute. The mapped type makes a missing or mistyped entry a compile error.
 */
export const STRATEGIES: { [Name in StrategyName]: Strategy<StrategyParams[Name]> } = {
  rsiReversal,
  macdCrossover,
  bollingerBreakout,
  emaCrossover,
};

export type StrategyName = keyof StrategyParams;
