import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Config } from '../config/schema';
import { istDateOf } from '../domain/calendar';
import { INTERVAL_MS } from '../domain/strategies/candles';
import type { runnerWorkflow } from '../workflows/runner';
import { runnerWorkflowId, type RunnerInput } from '../workflows/runner-messages';
import { positionRulesFrom } from './submit';

/** Kite publishes a minute candle within a second or two of its close. */
const SETTLE_MS = 2_000;

/** The runner's input for `day`, from configuration. */
export const runnerInputFrom = (config: Config, day: string): RunnerInput => ({
  day,
  underlyings: config.runner.underlyings,
  intervalMs: INTERVAL_MS[config.runner.interval],
  settleMs: SETTLE_MS,
  cooldownMs: config.runner.cooldownMinutes * 60_000,
  candlesPerRun: config.runner.candlesPerRun,
  session: config.session,
  rules: positionRulesFrom(config),
});

/**
 * Starts `runner-<day>` (today in IST by default), or returns the one already
 * running: calling it twice, e.g. from two `npm start`s, leaves one runner.
 * A runner that already ended for the day (stopped) may be started again;
 * its signal ids are candle-based, so it cannot repeat a trade.
 */
export async function startRunner(
  client: Client,
  config: Config,
  day: string = istDateOf(Date.now()),
): Promise<WorkflowHandle<typeof runnerWorkflow>> {
  return client.workflow.start<typeof runnerWorkflow>('runnerWorkflow', {
    workflowId: runnerWorkflowId(day),
    taskQueue: config.temporal.taskQueue,
    args: [runnerInputFrom(config, day)],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
}

/** How often the keeper looks at the IST date. */
const DAY_CHECK_MS = 60_000;

/**
 * Starts today's runner, then tomorrow's once the IST date changes, for as
 * long as the process lives: `npm start` left running overnight keeps
 * trading. A runner the operator stopped stays stopped for its day.
 */
export async function keepTodaysRunner(
  client: Client,
  config: Config,
  onStart: (workflowId: string) => void,
): Promise<void> {
  let day = istDateOf(Date.now());
  onStart((await startRunner(client, config, day)).workflowId);
  const timer = setInterval(() => {
    const today = istDateOf(Date.now());
    if (today === day) return;
    day = today;
    startRunner(client, config, day).then(
      (handle) => onStart(handle.workflowId),
      (err: unknown) => console.error(`could not start the runner for ${day}: ${String(err)}`),
    );
  }, DAY_CHECK_MS);
  // Never the reason the process stays up: that is the supervised services' job.
  timer.unref();
}
