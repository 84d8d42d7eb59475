import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../../src/config';
import { keyPathToEnvName } from '../../../src/config/load';
import { startPaperStack, type PaperStack } from '../../harness/paper-stack';
import { WorkerProcess } from '../../harness/worker-process';

/**
 * Limits wide enough that the account book never refuses one of the suite's
 * positions: crashes are the subject here, not risk. The positions snapshot
 * these from the client's config, the account book from the worker's.
 */
const ROOMY_RISK: Config['risk'] = {
  capital: 50_000_000,
  maxOpenPositions: 500,
  maxTradesPerDay: 5_000,
  maxDailyLoss: 10_000_000,
  maxCapitalInUsePct: 60,
  flattenOnDailyLoss: false,
};

const riskEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(ROOMY_RISK).map(([key, value]) => [
      keyPathToEnvName(['risk', key]),
      String(value),
    ]),
  );

export interface FaultStack {
  stack: PaperStack;
  worker: WorkerProcess;
  workerLog: string;
  stop(): Promise<void>;
}

export interface FaultStackOptions {
  /** A Temporal server of the test's own instead of the suite's shared one. */
  temporal?: Pick<Config['temporal'], 'address' | 'namespace'>;
}

/** A paper stack whose worker is a real OS process the test can SIGKILL and restart. */
export async function startFaultStack(options: FaultStackOptions = {}): Promise<FaultStack> {
  const stack = await startPaperStack({
    inProcessWorker: false,
    overrides: (config) => ({
      ...config,
      risk: ROOMY_RISK,
      temporal: { ...config.temporal, ...options.temporal },
    }),
  });
  const workerLog = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), 'fault-worker-')),
    'worker.log',
  );
  const worker = new WorkerProcess({ config: stack.config, logFile: workerLog, env: riskEnv() });
  await worker.start();
  return {
    stack,
    worker,
    workerLog,
    stop: async () => {
      await worker.stop();
      await stack.stop();
    },
  };
}
