import type { Direction } from '../types';

/**
 * One closed OHLCV candle. `time` is the candle's open (epoch ms), as Kite
 * reports it; the candle closes at `time + interval`.
 */
export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** What a strategy wants traded on the latest closed candle. */
export interface StrategySignal {
  direction: Direction;
  /** 0-10; positions compare it with `signals.minStrength`. */
  strength: number;
  /** Percent move of the underlying the strategy expects; compared with `signals.minExpectedMovePct`. */
  expectedMovePct: number;
  /** One line an operator can read: which indicator did what. */
  reason: string;
}

/** Latest indicator values by name, for the runner's status query. */
export type IndicatorValues = Record<string, number>;

export interface StrategyResult {
  signal?: StrategySignal;
  indicators: IndicatorValues;
}

/**
 * A strategy is a pure function of closed candles (oldest first) and its
 * parameters: no clock, no I/O, no state between calls, so re-evaluating the
 * same candles always gives the same answer.
 */
export interface Strategy<Params> {
  /** Fewest closed candles `evaluate` needs to decide; fewer yields no signal. */
  minCandles(params: Params): number;
  evaluate(candles: readonly Candle[], params: Params): StrategyResult;
}
