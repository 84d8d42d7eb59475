import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Supervisor, type ServiceSpec } from '../../scripts/supervisor';
import { eventually } from '../harness/eventually';

const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'supervisor-'));

/** A real child process running `script` under this Node. */
const service = (name: string, script: string, critical = false): ServiceSpec => ({
  name,
  command: process.execPath,
  args: ['-e', script],
  logFile: path.join(logDir, `${name}.log`),
  critical,
});
const STEADY = 'setInterval(() => {}, 1000)';
const CRASH = 'process.exit(3)';

const alive = (pid: number | undefined) => {
  try {
    process.kill(pid!, 0);
    return true;
  } catch {
    return false;
  }
};

/** The supervisor's lines, and the exit code it asked for, if any. */
function supervised(options: ConstructorParameters<typeof Supervisor>[1] = {}) {
  const said: string[] = [];
  const exits: number[] = [];
  const supervisor = new Supervisor((msg) => said.push(msg), {
    exit: (code) => exits.push(code),
    ...options,
  });
  const delays = (name: string) =>
    said
      .map((m) => new RegExp(`^restarting ${name} in (\\d+) ms`).exec(m))
      .filter((m) => m !== null)
      .map((m) => Number(m[1]));
  return { supervisor, said, exits, delays };
}

describe('npm start supervisor, with real child processes', () => {
  it('restarts a crash-looping service for ever with capped backoff, and never stops the worker', async () => {
    const { supervisor, said, exits, delays } = supervised({
      baseRestartDelayMs: 20,
      maxRestartDelayMs: 160,
    });
    const worker = supervisor.start(service('worker', STEADY));
    supervisor.start(service('webhook', CRASH));
    try {
      await eventually(
        async () => delays('webhook').length,
        (n) => n >= 10,
        20_000,
      );
      expect(delays('webhook').slice(0, 10)).toEqual([
        20, 40, 80, 160, 160, 160, 160, 160, 160, 160,
      ]);
      // The storm is said once, and it says the stack carries on.
      expect(said.filter((m) => m.includes('times in a minute'))).toEqual([
        'webhook crashed 5 times in a minute; it keeps restarting (backoff up to 0.16 s) and the rest of the stack keeps running',
      ]);
      expect(alive(worker.pid)).toBe(true);
      expect(worker.exitCode).toBeNull();
      expect(exits).toEqual([]);
      expect(said.some((m) => m.startsWith('stopped'))).toBe(false);
    } finally {
      await supervisor.stopAll();
    }
    expect(alive(worker.pid)).toBe(false);
    // A restart that was pending when the stack stopped never happens.
    const restarts = delays('webhook').length;
    await new Promise((r) => setTimeout(r, 400));
    expect(delays('webhook').length).toBe(restarts);
    expect(said.filter((m) => m.startsWith('webhook exited')).length).toBe(restarts);
  });

  it('starts the backoff over for a service that stayed up before it crashed', async () => {
    const { supervisor, delays } = supervised({
      baseRestartDelayMs: 20,
      maxRestartDelayMs: 160,
      stableAfterMs: 100,
    });
    supervisor.start(service('exchange', 'setTimeout(() => process.exit(1), 250)'));
    try {
      await eventually(
        async () => delays('exchange').length,
        (n) => n >= 4,
        20_000,
      );
      expect(delays('exchange').slice(0, 4)).toEqual([20, 20, 20, 20]);
    } finally {
      await supervisor.stopAll();
    }
  });

  it('stops the whole stack when the critical Temporal server exits', async () => {
    const { supervisor, said, exits } = supervised();
    supervisor.start(service('temporal', 'setTimeout(() => process.exit(2), 300)', true));
    const worker = supervisor.start(service('worker', STEADY));
    await eventually(
      async () => exits.length,
      (n) => n > 0,
      20_000,
    );
    expect(exits).toEqual([1]);
    expect(alive(worker.pid)).toBe(false);
    expect(said).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^temporal exited \(code 2\)/),
        'temporal is critical; stopping the stack',
        'stopped worker',
      ]),
    );
    expect(said.some((m) => m.startsWith('restarting'))).toBe(false);
  });
});
