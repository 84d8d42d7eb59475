import type { StrategyParams } from '../../config/schema';
import { STRATEGIES, type StrategyName } from './registry';
import type { Candle, IndicatorValues, Strategy, StrategySignal } from './types';

export interface StrategyOutcome {
  strategy: StrategyName;
  indicators: IndicatorValues;
  signal?: StrategySignal;
  /** Why the strategy could not decide, e.g. too few candles. */
  skipped?: string;
}

/** Runs every enabled strategy over the same closed candles, in registry order. */
export function evaluateAll(candles: readonly Candle[], params: StrategyParams): StrategyOutcome[] {
  return (Object.keys(STRATEGIES) as StrategyName[])
    .filter((name) => params[name].enabled)
    .map((name) => run(name, candles, params));
}

function run<N extends StrategyName>(
  name: N,
  candles: readonly Candle[],
  params: StrategyParams,
): StrategyOutcome {
  const strategy: Strategy<StrategyParams[N]> = STRATEGIES[name];
  const p = params[name];
  const needed = strategy.minCandles(p);
  if (candles.length < needed)
    return {
      strategy: name,
      indicators: {},
      skipped: `needs ${needed} closed candles, has ${candles.length}`,
    };
  return { strategy: name, ...strategy.evaluate(candles, p) };
}
