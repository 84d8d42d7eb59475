import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
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

/** The day's runner was ended by a person, so nothing starts it again by itself. */
export class RunnerStoppedError extends Error {
  constructor(
    readonly day: string,
    readonly how: string,
  ) {
    super(
      `${runnerWorkflowId(day)} was ${how} and stays stopped for ${day}; ` +
        `\`npx trade runner start --day ${day} --restart\` starts it again`,
    );
    this.name = 'RunnerStoppedError';
  }
}

/**
 * How a person ended the day's runner: the stop signal (the run completes
 * with endedBy "stop"), or terminate or cancel from the Web UI or CLI.
 * Undefined when there is none, it runs, or it ended by itself (session end,
 * failure), all of which may start again.
 */
async function endedByOperator(client: Client, day: string): Promise<string | undefined> {
  const handle = client.workflow.getHandle<typeof runnerWorkflow>(runnerWorkflowId(day));
  const status = await handle.describe().then(
    (d) => d.status.name,
    (err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    },
  );
  if (status === 'TERMINATED' || status === 'CANCELLED') return status.toLowerCase();
  if (status !== 'COMPLETED') return undefined;
  return (await handle.result()).endedBy === 'stop' ? 'stopped by the operator' : undefined;
}

/**
 * Starts `runner-<day>` (today in IST by default), or returns the one already
 * running: calling it twice, e.g. from two `npm start`s, leaves one runner.
 * A runner that ended at its session end may be started again; its signal
 * ids are candle-based, so it cannot repeat a trade. One the operator ended
 * stays ended for its day (RunnerStoppedError) unless `restart` is set.
 */
export async function startRunner(
  client: Client,
  config: Config,
  day: string = istDateOf(Date.now()),
  { restart = false }: { restart?: boolean } = {},
): Promise<WorkflowHandle<typeof runnerWorkflow>> {
  const ended = restart ? undefined : await endedByOperator(client, day);
  if (ended) throw new RunnerStoppedError(day, ended);
  return client.workflow.start<typeof runnerWorkflow>('runnerWorkflow', {
    workflowId: runnerWorkflowId(day),
    taskQueue: config.temporal.taskQueue,
    args: [runnerInputFrom(config, day)],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
}

export interface KeepRunnerOptions {
  /** Told why a day's runner was left alone: the operator ended it. */
  onStayStopped?: (message: string) => void;
  /** The clock whose IST date names the runner; tests pin it. */
  now?: () => number;
  /** How often the keeper looks at the IST date. */
  checkEveryMs?: number;
}

/**
 * Starts today's runner, then tomorrow's once the IST date changes, for as
 * long as the process lives: `npm start` left running overnight keeps
 * trading. A runner the operator ended stays ended for its day, whatever
 * restarts `npm start`. Returns a function that stops the keeping.
 */
export async function keepTodaysRunner(
  client: Client,
  config: Config,
  onStart: (workflowId: string) => void,
  {
    onStayStopped = (message) => console.log(message),
    now = Date.now,
    checkEveryMs = 60_000,
  }: KeepRunnerOptions = {},
): Promise<() => void> {
  const keep = async (day: string) => {
    try {
      onStart((await startRunner(client, config, day)).workflowId);
    } catch (err) {
      if (!(err instanceof RunnerStoppedError)) throw err;
      onStayStopped(err.message);
    }
  };
  let day = istDateOf(now());
  await keep(day);
  const timer = setInterval(() => {
    const today = istDateOf(now());
    if (today === day) return;
    day = today;
    keep(day).catch((err: unknown) =>
      console.error(`could not start the runner for ${today}: ${String(err)}`),
    );
  }, checkEveryMs);
  // Never the reason the process stays up: that is the supervised services' job.
  timer.unref();
  return () => clearInterval(timer);
}
