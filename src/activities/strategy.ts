import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { KiteBroker } from '../adapters/kite/client';
import type { Config, Underlying } from '../config/schema';
import { indexTokenOf } from '../domain/instruments';
import type { Signal } from '../domain/signal';
import {
  closedCandles,
  evaluateAll,
  formingCandle,
  istTimestamp,
  kiteIntervalOf,
  strategySignalId,
  type Candle,
  type IndicatorValues,
  type StrategyName,
} from '../domain/strategies';
import { FailureType } from './failure-types';

export interface CandleRequest {
  underlying: Underlying;
  token: number;
  intervalMs: number;
  fromMs: number;
  toMs: number;
}

/** Where candles and the live price come from: the broker in production, a script in tests. */
export interface CandleSource {
  /** Candles with an open time in [fromMs, toMs], oldest first; may include the forming one. */
  candles(request: CandleRequest): Promise<Candle[]>;
  lastPrice(token: number): Promise<number | undefined>;
}

/** Kite's historical endpoint and LTP for the index token. */
export function brokerCandleSource(broker: KiteBroker): CandleSource {
  return {
    async candles({ token, intervalMs, fromMs, toMs }) {
      const interval = kiteIntervalOf(intervalMs);
      if (!interval)
        throw ApplicationFailure.nonRetryable(
          `evaluateStrategies: Kite has no ${intervalMs} ms candles`,
          FailureType.InvalidRequest,
        );
      return broker.getHistoricalCandles(token, interval, fromMs, toMs);
    },
    async lastPrice(token) {
      return (await broker.getLtp([String(token)])).get(String(token));
    },
  };
}

/** Candles built from this worker's ticks, for the candles the broker has not published yet. */
export interface TickCandleSource {
  /** Candles of `intervalMs` opening in [fromMs, toMs), or undefined unless every tick of the span was seen. */
  candles(token: number, intervalMs: number, fromMs: number, toMs: number): Candle[] | undefined;
}

export type StrategyActivityDeps = {
  config: Pick<Config, 'runner'>;
  tickCandles?: TickCandleSource;
} & (
  { broker: KiteBroker; candles?: CandleSource } | { broker?: undefined; candles: CandleSource }
);

export interface EvaluateInput {
  underlying: Underlying;
  intervalMs: number;
  /** The candle close being evaluated (epoch ms); only candles closed by then are seen. */
  asOf: number;
}

export interface StrategyReport {
  strategy: StrategyName;
  indicators: IndicatorValues;
  /** The signal's reason, or why the strategy could not decide. */
  note?: string;
}

export interface Evaluation {
  underlying: Underlying;
  asOf: number;
  /** How many closed candles the strategies saw. */
  candles: number;
  /** How many of them were built from ticks because the broker had not published them yet. */
  fromTicks?: number;
  signals: Signal[];
  strategies: StrategyReport[];
  /** Why nothing was evaluated, e.g. the candle closing at asOf is not published yet. */
  skipped?: string;
  /** The still-forming candle with the live price; display only, never evaluated. */
  forming?: Candle;
}

/** When the short window holds too few closed candles (a new session), look this far back. */
const LONG_LOOKBACK_MS = 7 * 86_400_000;

export function createStrategyActivities(deps: StrategyActivityDeps) {
  const source = deps.candles ?? brokerCandleSource(deps.broker!);
  const { historyCandles, strategies } = deps.config.runner;

  async function history(input: EvaluateInput, token: number) {
    const { underlying, intervalMs, asOf } = input;
    const fetch = async (fromMs: number) => {
      const all = await source.candles({ underlying, token, intervalMs, fromMs, toMs: asOf });
      return { all, closed: closedCandles(all, intervalMs, asOf).slice(-historyCandles) };
    };
    const recent = await fetch(asOf - (historyCandles + 1) * intervalMs);
    return recent.closed.length >= historyCandles ? recent : fetch(asOf - LONG_LOOKBACK_MS);
  }

  /**
   * The closed candles after the broker's newest, built from ticks, or none
   * unless the builder watched that whole span: a candle from half the
   * ticks would be a different candle.
   */
  function tickTail(published: Candle[], token: number, input: EvaluateInput): Candle[] {
    const { intervalMs, asOf } = input;
    const newest = published[published.length - 1];
    if (!deps.tickCandles || !newest || newest.time >= asOf - intervalMs) return [];
    return deps.tickCandles.candles(token, intervalMs, newest.time + intervalMs, asOf) ?? [];
  }

  /**
   * Runs the enabled strategies on the candles closed at `asOf`. Signals are
   * stamped with the candle close, not the wall clock, so a retry returns
   * signals with the same ids; and a retry that still finds the broker
   * lagging gets the same tick-built candles, since a passed minute never
   * changes in the builder.
   */
  async function evaluateStrategies(input: EvaluateInput): Promise<Evaluation> {
    const { underlying, intervalMs, asOf } = input;
    const token = indexTokenOf(underlying);
    const { all, closed: published } = await history(input, token);
    const tail = tickTail(published, token, input);
    const closed = [...published, ...tail].slice(-historyCandles);
    const lastPrice = await source.lastPrice(token);
    const base = {
      underlying,
      asOf,
      candles: closed.length,
      ...(tail.length > 0 && { fromTicks: tail.length }),
      ...(lastPrice !== undefined && { forming: formingCandle(all, asOf, lastPrice) }),
    };
    const newest = closed[closed.length - 1];
    // Evaluating an older candle again would only repeat its signals: wait for the real one.
    if (newest?.time !== asOf - intervalMs) {
      const skipped = `no candle closing at ${istTimestamp(asOf)} IST yet${
        newest ? `; newest closed ${istTimestamp(newest.time + intervalMs)}` : ''
      }`;
      return { ...base, signals: [], strategies: [], skipped };
    }
    const outcomes = evaluateAll(closed, strategies);
    const signals = outcomes.flatMap(({ strategy, signal }): Signal[] =>
      signal
        ? [
            {
              id: strategySignalId(strategy, underlying, asOf),
              underlying,
              strategy,
              direction: signal.direction,
              strength: signal.strength,
              expectedMovePct: signal.expectedMovePct,
              referencePrice: newest.close,
              createdAt: new Date(asOf).toISOString(),
            },
          ]
        : [],
    );
    for (const { strategy, signal } of outcomes)
      if (signal) log.info('strategy signal', { strategy, underlying, asOf, ...signal });
    return {
      ...base,
      signals,
      strategies: outcomes.map(({ strategy, indicators, signal, skipped }) => ({
        strategy,
        indicators,
        ...((signal?.reason ?? skipped) && { note: signal?.reason ?? skipped }),
      })),
    };
  }

  return { evaluateStrategies };
}

export type StrategyActivities = ReturnType<typeof createStrategyActivities>;
