import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Underlying } from '../config/schema';
import type { SessionConfig } from '../domain/session';
import type { IndicatorValues } from '../domain/strategies/types';
import type { PositionRules } from './messages';

export interface RunnerInput {
  /** IST date `YYYY-MM-DD`; the workflow id is `runner-<day>` and the run ends with the day's session. */
  day: string;
  underlyings: Underlying[];
  /**
   * Candle length in ms. Production uses a Kite interval (60 000 for
   * `minute`); tests use a few seconds with a scripted candle source, since
   * Kite has no second candles.
   */
  intervalMs: number;
  /** Wait after each candle close before evaluating, so the broker has published the candle. */
  settleMs: number;
  /** After a position starts for (strategy, underlying), further signals of that pair are dropped this long. */
  cooldownMs: number;
  /** Candles one run evaluates before continuing as new. */
  candlesPerRun: number;
  session: SessionConfig;
  /** The rules every position this runner starts runs under. */
  rules: PositionRules;
  /** Carried across continue-as-new. */
  carried?: RunnerCarry;
}

export interface RunnerCarry {
  paused: boolean;
  /** `<strategy>:<underlying>` -> epoch ms before which that pair starts no position. */
  cooldowns: Record<string, number>;
  positionsStarted: number;
  recentPositions: string[];
  candlesEvaluated: number;
  runs: number;
  lastEvaluation?: LastEvaluation;
  indicators: Record<string, Record<string, IndicatorValues>>;
}

export interface LastEvaluation {
  asOf: number;
  /** Signal ids the strategies produced at asOf, started or not. */
  signals: string[];
  /** Signals not started, with why (paused, cooldown, entries closed, already exists). */
  dropped: { id: string; reason: string }[];
  /** Per underlying: why nothing was evaluated, or the activity's failure. */
  problems: string[];
  /** The live price per underlying, from the still-forming candle. */
  lastPrice: Record<string, number>;
}

export interface RunnerStatus extends RunnerCarry {
  day: string;
  stopped: boolean;
  nextCandleAt?: number;
}

export interface RunnerSummary {
  day: string;
  endedBy: 'stop' | 'session end';
  positionsStarted: number;
  candlesEvaluated: number;
}

export const pauseRunnerSignal = defineSignal('pause');
export const resumeRunnerSignal = defineSignal('resume');
export const stopRunnerSignal = defineSignal<[reason?: string]>('stop');
export const runnerStatusQuery = defineQuery<RunnerStatus>('status');

export const runnerWorkflowId = (day: string) => `runner-${day}`;
