import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, PAPER_CREDENTIALS, type Config } from '../../src/config';
import { istDateOf } from '../../src/domain/calendar';
import { keyPathToEnvName } from '../../src/config/load';
import { ExchangeControl } from '../../src/exchange/control-client';
import { startExchange, type RunningExchange } from '../../src/exchange';
import { accountWorkflowId } from '../../src/workflows/messages';
import { WorkerProcess } from '../../tests/harness/worker-process';
import { joinNodeOptions } from '../../src/workers/process-env';
import { ExchangeClock } from './exchange-clock';
import type { BenchContext } from './context';

/**
 * Risk limits wide enough for a thousand one-lot positions: the benchmarks
 * measure the machinery, and a refused reservation would end a position
 * before it reaches the broker. A fair share of 120,000 covers one lot of
 * any strike within ten steps of the money.
 */
/** A minute ago in IST as HH:MM: as a square-off time, the next one is a day away. */
const justPastIst = (): string =>
  new Date(Date.now() + 5.5 * 3_600_000 - 60_000).toISOString().slice(11, 16);

const BENCH_OVERRIDES: Record<string, string> = {
  // Square-off applies even in always-open sessions; a run crossing it would measure a mass exit.
  [keyPathToEnvName(['session', 'squareOffAt'])]: `'${justPastIst()}'`,
  [keyPathToEnvName(['risk', 'capital'])]: '400000000',
  [keyPathToEnvName(['risk', 'maxOpenPositions'])]: '2000',
  [keyPathToEnvName(['risk', 'maxTradesPerDay'])]: '1000000',
  [keyPathToEnvName(['risk', 'maxDailyLoss'])]: '1000000000',
};

export interface BenchStack {
  config: Config;
  client: Client;
  control: ExchangeControl;
  exchange: RunningExchange;
  clock: ExchangeClock;
  /** The production worker entry point in its own process, so its CPU and memory are its own. */
  worker: WorkerProcess;
  workerLog: string;
  /** One more production worker on the same task queue, with its own ticker connection; stopped with the stack. */
  spawnWorker(): Promise<WorkerProcess>;
  stop(): Promise<void>;
}

export interface BenchStackOptions {
  name: string;
  /** Every instrument reprices and ticks at this interval. */
  tickIntervalMs: number;
  /** More TRADER__ settings for this benchmark, for the worker and the positions' rules alike. */
  settings?: Record<string, string>;
  /** Environment for the worker processes only, such as NODE_OPTIONS for a profiler. */
  workerEnv?: NodeJS.ProcessEnv;
}

/** Paper exchange in this process, worker in another, on the bench run's Temporal server. */
export async function startBenchStack(
  {
    temporal,
    settings: runSettings,
    workerEnv: runEnv,
    exchangeDir = os.tmpdir(),
  }: Pick<BenchContext, 'temporal' | 'settings' | 'workerEnv' | 'exchangeDir'>,
  { name, tickIntervalMs, settings = {}, workerEnv: processEnv = {} }: BenchStackOptions,
): Promise<BenchStack> {
  const overrides = { ...BENCH_OVERRIDES, ...settings, ...runSettings };
  const base = loadConfig({ env: overrides });
  const exchange = await startExchange({
    ...base.exchange,
    port: 0,
    dataDir: fs.mkdtempSync(path.join(exchangeDir, 'bench-exchange-')),
    tickIntervalMs,
    session: 'always-open',
    accountCapital: 10_000_000_000,
    // Kite's 10/s would measure the rate limiter, not the system.
    requestsPerSecond: 1_000_000,
    ordersPerSecond: 1_000_000,
    control: { enabled: true },
    credentials: PAPER_CREDENTIALS,
  });
  const config: Config = {
    ...base,
    temporal: {
      ...base.temporal,
      address: temporal.address,
      namespace: temporal.namespace,
      taskQueue: `bench-${name}-${Date.now().toString(36)}`,
    },
    broker: { mode: 'paper', restUrl: exchange.restUrl, tickerUrl: exchange.tickerUrl },
  };
  const workerLog = path.join(os.tmpdir(), `trader-bench-${name}-worker.log`);
  fs.writeFileSync(workerLog, '');
  const workerEnv: NodeJS.ProcessEnv = {
    ...overrides,
    ...runEnv,
    ...processEnv,
    [keyPathToEnvName(['temporal', 'workflowBundle'])]: temporal.tradingBundlePath,
  };
  // A benchmark's own Node options (a profiler) and the run's (V8 flags) both apply.
  const nodeOptions = joinNodeOptions(runEnv.NODE_OPTIONS, processEnv.NODE_OPTIONS);
  if (nodeOptions) workerEnv.NODE_OPTIONS = nodeOptions;
  const worker = new WorkerProcess({ config, logFile: workerLog, env: workerEnv });
  await worker.start();
  const extraWorkers: WorkerProcess[] = [];
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: temporal.namespace });
  // The day's account book is shared by name; one left by an earlier benchmark lives on a task queue nobody polls.
  const endAccountBook = () =>
    client.workflow
      .getHandle(accountWorkflowId(istDateOf(Date.now())))
      .terminate('bench reset')
      .catch(() => undefined);
  await endAccountBook();
  return {
    config,
    client,
    control: new ExchangeControl(exchange.restUrl),
    exchange,
    clock: new ExchangeClock(exchange),
    worker,
    workerLog,
    spawnWorker: async () => {
      const logFile = workerLog.replace(/\.log$/, `-${extraWorkers.length + 2}.log`);
      fs.writeFileSync(logFile, '');
      const another = new WorkerProcess({ config, logFile, env: workerEnv });
      extraWorkers.push(another);
      await another.start();
      return another;
    },
    stop: async () => {
      await endAccountBook();
      // SIGKILL: a drain would wait on activities whose workflows the benchmark has already ended.
      await worker.kill();
      for (const w of extraWorkers) await w.kill();
      await connection.close();
      await exchange.close();
    },
  };
}
