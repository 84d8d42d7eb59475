import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import type { Config } from '../../src/config';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const BIN = path.resolve(__dirname, '../../bin/trade.js');

/** The environment that points the CLI at a test server, namespace and task queue. */
export const cliEnv = (config: Config): NodeJS.ProcessEnv => ({
  ...process.env,
  TRADER_ENV: 'paper',
  TRADER__TEMPORAL__ADDRESS: config.temporal.address,
  TRADER__TEMPORAL__NAMESPACE: config.temporal.namespace,
  TRADER__TEMPORAL__TASK_QUEUE: config.temporal.taskQueue,
});

/** `node bin/trade.js ...` as an operator would run it: a separate process, real exit code. */
export const runCli = (args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> =>
  spawnCli(args, env).done;

export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  /** Resolves once stderr (where interactive commands say what they wait for) matches. */
  stderrMatching(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  done: Promise<CliRun>;
}

/** The CLI left running, for commands that wait on their input (`trade login`). */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  const stderrMatching = async (pattern: RegExp, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(stderr);
      if (m) return m;
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`trade ${args.join(' ')}: stderr never matched ${pattern}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, stderrMatching, done };
}

/** Runs the CLI with `--json` and parses stdout, failing loudly with stderr if it did not succeed. */
export async function runCliJson<T>(args: string[], env: NodeJS.ProcessEnv): Promise<T> {
  const run = await runCli([...args, '--json'], env);
  if (run.code !== 0) throw new Error(`trade ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}
