import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { StrategyActivities, Evaluation } from '../activities/strategy';
import { istEpoch } from '../domain/calendar';
import { entryBlockReason, runnerSessionWindow } from '../domain/session';
import type { Signal } from '../domain/signal';
import { nextCandleClose } from '../domain/strategies/candles';
import { positionWorkflowId } from './messages';
import type { positionWorkflow } from './position';
import {
  pauseRunnerSignal,
  resumeRunnerSignal,
  runnerStatusQuery,
  stopRunnerSignal,
  type RunnerCarry,
  type RunnerInput,
  type RunnerStatus,
  type RunnerSummary,
} from './runner-messages';
import { PhaseKey, StrategyKey, UnderlyingKey } from './search-attributes';

/** Positions listed in the status query; the count covers the rest. */
const RECENT_POSITIONS = 20;

const fresh = (): RunnerCarry => ({
  paused: false,
  cooldowns: {},
  positionsStarted: 0,
  recentPositions: [],
  candlesEvaluated: 0,
  runs: 1,
  indicators: {},
});

/**
 * `runner-<day>`: on every closed candle of the day's session, evaluates the
 * strategies per underlying and starts one position per signal as an
 * abandoned child, so positions outlive the runner. Pause drops signals
 * (evaluation and indicators continue); a cooldown per (strategy,
 * underlying) follows each started position. Cooldowns and pause survive
 * continue-as-new.
 */
export async function runnerWorkflow(input: RunnerInput): Promise<RunnerSummary> {
  const state: RunnerCarry = input.carried ?? fresh();
  let stopped = false;
  let nextCandleAt: number | undefined;
  setHandler(pauseRunnerSignal, () => void (state.paused = true));
  setHandler(resumeRunnerSignal, () => void (state.paused = false));
  setHandler(stopRunnerSignal, (reason) => {
    stopped = true;
    log.info('runner stop requested', { reason });
  });
  setHandler(runnerStatusQuery, (): RunnerStatus => ({
    ...state,
    day: input.day,
    stopped,
    nextCandleAt,
  }));

  const summary = (endedBy: RunnerSummary['endedBy']): RunnerSummary => ({
    day: input.day,
    endedBy,
    positionsStarted: state.positionsStarted,
    candlesEvaluated: state.candlesEvaluated,
  });
  const session = runnerSessionWindow(input.day, input.session);
  if (!session) return summary('session end');
  // Candles align to the session open, as Kite's multi-minute candles do.
  const anchor = istEpoch(input.day, input.session.open);
  const strategies = proxyActivities<StrategyActivities>({
    startToCloseTimeout: '30s',
    // A result later than the next candle is worthless: give up and take the next one.
    scheduleToCloseTimeout: Math.max(input.intervalMs, 10_000),
    retry: {
      initialInterval: '1s',
      maximumInterval: '5s',
      nonRetryableErrorTypes: ['InvalidRequest'],
    },
  });

  for (let candles = 0; !stopped; candles++) {
    if (candles >= input.candlesPerRun || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof runnerWorkflow>({ ...input, carried: carryOver(state) });
    }
    const closeAt = nextCandleClose(
      Math.max(Date.now() - input.settleMs, session.start),
      anchor,
      input.intervalMs,
    );
    if (closeAt > session.end) return summary('session end');
    nextCandleAt = closeAt;
    if (await condition(() => stopped, closeAt + input.settleMs - Date.now())) break;
    await evaluateCandle(closeAt);
  }
  return summary('stop');

  async function evaluateCandle(asOf: number): Promise<void> {
    const results = await Promise.all(
      input.underlyings.map((underlying) =>
        strategies
          .evaluateStrategies({ underlying, intervalMs: input.intervalMs, asOf })
          .catch(
            (err: Error) =>
              `${underlying}: evaluation failed: ${(err.cause as Error | undefined)?.message ?? err.message}`,
          ),
      ),
    );
    const last: NonNullable<RunnerCarry['lastEvaluation']> = {
      asOf,
      signals: [],
      dropped: [],
      problems: [],
      lastPrice: {},
    };
    state.lastEvaluation = last;
    state.candlesEvaluated += 1;
    for (const result of results) {
      if (typeof result === 'string') {
        last.problems.push(result);
        continue;
      }
      record(result, last);
      for (const signal of result.signals) {
        last.signals.push(signal.id);
        const reason = await enter(signal, asOf);
        if (reason) last.dropped.push({ id: signal.id, reason });
      }
    }
  }

  function record(result: Evaluation, last: NonNullable<RunnerCarry['lastEvaluation']>): void {
    if (result.skipped) last.problems.push(`${result.underlying}: ${result.skipped}`);
    if (result.forming) last.lastPrice[result.underlying] = result.forming.close;
    if (result.strategies.length > 0)
      state.indicators[result.underlying] = Object.fromEntries(
        result.strategies.map((s) => [s.strategy, s.indicators]),
      );
  }

  /** Starts the signal's position, or says why not. */
  async function enter(signal: Signal, asOf: number): Promise<string | undefined> {
    if (state.paused) return 'runner paused';
    const blocked = entryBlockReason(asOf, input.session);
    if (blocked) return blocked;
    const key = `${signal.strategy}:${signal.underlying}`;
    const until = state.cooldowns[key];
    if (until !== undefined && asOf < until)
      return `cooldown until ${new Date(until).toISOString()}`;
    state.cooldowns[key] = asOf + input.cooldownMs;
    try {
      await startChild<typeof positionWorkflow>('positionWorkflow', {
        workflowId: positionWorkflowId(signal.id),
        args: [{ signal, rules: input.rules }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: UnderlyingKey, value: signal.underlying },
          { key: StrategyKey, value: signal.strategy },
          { key: PhaseKey, value: 'VALIDATING' },
        ],
      });
    } catch (err) {
      // An earlier runner of this day already started it: the id is the candle, so it is the same trade.
      if (err instanceof WorkflowExecutionAlreadyStartedError) return 'position already exists';
      throw err;
    }
    log.info('position started', { signalId: signal.id, direction: signal.direction });
    state.positionsStarted += 1;
    state.recentPositions = [...state.recentPositions, positionWorkflowId(signal.id)].slice(
      -RECENT_POSITIONS,
    );
    return undefined;
  }
}

/** The state the next run needs: expired cooldowns are dropped so the carry stays small. */
function carryOver(state: RunnerCarry): RunnerCarry {
  const now = Date.now();
  return {
    ...state,
    runs: state.runs + 1,
    cooldowns: Object.fromEntries(
      Object.entries(state.cooldowns).filter(([, until]) => until > now),
    ),
  };
}
