import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../src/config';
import { withWorkerProcessEnv } from '../../src/workers/process-env';
import { keyPathToEnvName } from '../../src/config/load';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Every worker this process started and that has not exited: SIGKILLed when
 * this process exits, so a benchmark or test stopped by a signal leaves no
 * worker polling a server that is gone (session 7 found two running an hour on).
 */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface WorkerProcessOptions {
  /** Where the worker connects: Temporal, namespace, task queue and the paper exchange. */
  config: Pick<Config, 'temporal' | 'broker'>;
  /** Appended to on every start, so a crash's last words survive the restart. */
  logFile: string;
  /** Extra environment, e.g. credentials for a secrets test or TRADER__ overrides. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The production worker entry point (`src/workers/main.ts`) in its own OS
 * process, so a test can SIGKILL it mid-order the way a crash or an OOM kill
 * would, and measure its CPU and memory apart from the exchange's.
 */
export interface ProcessUsage {
  rssBytes: number;
  cpuSeconds: number;
}

/** Resident set size and cumulative CPU of a process, read from /proc (Linux). */
export function processUsage(pid: number): ProcessUsage | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14, 15 and 24 of proc(5); USER_HZ and the page size are fixed on x86-64 Linux.
    const ticksPerSecond = 100;
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
    const pageSize = 4096;
    const rssBytes = Number(fields[21]) * pageSize;
    return { rssBytes, cpuSeconds };
  } catch {
    return undefined;
  }
}

export class WorkerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  starts = 0;

  constructor(private readonly options: WorkerProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** False once the process has exited, whether stopped, killed or crashed on its own. */
  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** Starts the worker and resolves once it polls its task queue. */
  async start(timeoutMs = 60_000): Promise<void> {
    if (this.child) throw new Error('worker process already running');
    const { temporal, broker } = this.options.config;
    const out = fs.openSync(this.options.logFile, 'a');
    const env = withWorkerProcessEnv({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TRADER_ENV: 'paper',
      [keyPathToEnvName(['temporal', 'address'])]: temporal.address,
      [keyPathToEnvName(['temporal', 'namespace'])]: temporal.namespace,
      [keyPathToEnvName(['temporal', 'taskQueue'])]: temporal.taskQueue,
      [keyPathToEnvName(['broker', 'restUrl'])]: broker.restUrl,
      [keyPathToEnvName(['broker', 'tickerUrl'])]: broker.tickerUrl,
      [keyPathToEnvName(['log', 'level'])]: 'info',
      // Free ports, so concurrent tests' workers (and a running `npm start`) never collide.
      [keyPathToEnvName(['metrics', 'port'])]: '0',
      [keyPathToEnvName(['metrics', 'temporalPort'])]: '0',
      ...(process.env.TEMPORAL_TEST_BUNDLE
        ? { [keyPathToEnvName(['temporal', 'workflowBundle'])]: process.env.TEMPORAL_TEST_BUNDLE }
        : {}),
      ...this.options.env,
    });
    // `node --import tsx` rather than the tsx CLI: the CLI forks a second
    // process, and a SIGKILL to the parent would leave the real worker alive.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/workers/main.ts'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    this.child = child;
    this.starts += 1;
    live.add(child);
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        live.delete(child);
        resolve();
      }),
    );
    await this.waitForLine('worker started', timeoutMs);
  }

  /** SIGKILL: no drain, no goodbye, in-flight activities are abandoned to their timeouts. */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
    this.child = undefined;
  }

  /** SIGTERM: the worker drains in-flight tasks and exits. */
  async stop(): Promise<void> {
    this.child?.kill('SIGTERM');
    await this.exited;
    this.child = undefined;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  /** Resident set size and cumulative CPU of the worker. */
  usage(): ProcessUsage | undefined {
    return this.child?.pid ? processUsage(this.child.pid) : undefined;
  }

  private async waitForLine(text: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const startSize = this.starts;
    for (;;) {
      const log = fs.readFileSync(this.options.logFile, 'utf8');
      if (countOccurrences(log, text) >= startSize) return;
      if (!this.child || this.child.exitCode !== null)
        throw new Error(`worker exited before "${text}"; see ${this.options.logFile}`);
      if (Date.now() > deadline)
        throw new Error(`worker did not log "${text}" within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const countOccurrences = (haystack: string, needle: string) => haystack.split(needle).length - 1;
