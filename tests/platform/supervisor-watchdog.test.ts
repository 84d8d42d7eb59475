import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Supervisor, type ServiceSpec } from '../../scripts/supervisor';
import { startWorkerWatchdog } from '../../scripts/worker-watchdog';
import { loadConfig } from '../../src/config';
import { eventually } from '../harness/eventually';
import { startFakeTelegram, type FakeTelegram } from '../harness/fake-telegram';
import { freePort } from '../harness/free-port';

const BOT_TOKEN = '7012345678:AAFakeWatchdogToken_abcdefghijkl';
const CHAT_ID = -1009876543210;
const FAST = { intervalMs: 200, timeoutMs: 150, unhealthyAfter: 3, startupGraceMs: 5_000 };

/**
 * A worker stand-in: answers /healthz like the real one, and on its first
 * run only, after `hangAfterMs`, spins its event loop for ever, the way a
 * hung worker holds its port open and never answers.
 */
const FAKE_WORKER = `
const fs = require('node:fs');
const first = !fs.existsSync(process.env.MARK);
fs.writeFileSync(process.env.MARK, String(process.pid));
require('node:http')
  .createServer((req, res) => res.end(JSON.stringify({ status: 'ok', pid: process.pid })))
  .listen(Number(process.env.PORT), '127.0.0.1');
if (first && process.env.HANG_AFTER_MS) setTimeout(() => { for (;;); }, Number(process.env.HANG_AFTER_MS));
`;

let telegram: FakeTelegram;
beforeAll(async () => {
  telegram = await startFakeTelegram({ token: BOT_TOKEN });
});
afterAll(() => telegram.close());

async function stackWithWatchdog(hangAfterMs: number | undefined) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'watchdog-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    TRADER__METRICS__PORT: String(port),
    TRADER__NOTIFY__STATE_DIR: path.join(dir, 'notify'),
    TRADER__NOTIFY__TELEGRAM__ENABLED: 'true',
    TRADER__NOTIFY__TELEGRAM__API_URL: telegram.apiUrl,
    TRADER__NOTIFY__TELEGRAM__CHAT_ID: String(CHAT_ID),
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
  };
  const said: string[] = [];
  const say = (msg: string) => said.push(msg);
  const supervisor = new Supervisor(say, { baseRestartDelayMs: 50, maxRestartDelayMs: 200 });
  const spec: ServiceSpec = {
    name: 'worker',
    command: process.execPath,
    args: ['-e', FAKE_WORKER],
    env: {
      PORT: String(port),
      MARK: path.join(dir, 'started'),
      ...(hangAfterMs ? { HANG_AFTER_MS: String(hangAfterMs) } : {}),
    },
    logFile: path.join(dir, 'worker.log'),
  };
  const first = supervisor.start(spec);
  const watchdog = startWorkerWatchdog({
    config: loadConfig({ env }),
    supervisor,
    say,
    logFile: path.join(dir, 'supervisor.log'),
    env,
    timing: FAST,
  });
  const stop = async () => {
    watchdog.stop();
    await supervisor.stopAll();
  };
  return { supervisor, first, said, stop, supervisorLog: path.join(dir, 'supervisor.log') };
}

describe('the npm start watchdog on the worker /healthz', () => {
  it('alerts WORKER_UNHEALTHY once, SIGKILLs the hung worker, and the supervisor restarts it', async () => {
    const before = telegram.messages.length;
    const { supervisor, first, said, stop, supervisorLog } = await stackWithWatchdog(1_000);
    try {
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        first.once('exit', (_code, signal) => resolve(signal)),
      );
      expect(await exited).toBe('SIGKILL');
      const back = await eventually(
        async () => said.find((m) => m.startsWith('worker answers')),
        (m) => m !== undefined,
        15_000,
      );
      expect(back).toMatch(/^worker answers http:\/\/127\.0\.0\.1:\d+\/healthz again/);
      const second = supervisor.running('worker');
      expect(second?.pid).toBeDefined();
      expect(second?.pid).not.toBe(first.pid);
      const alerts = await eventually(
        async () => telegram.messages.slice(before),
        (m) => m.length > 0,
        5_000,
      );
      // A few more polls: the episode is over and its one alert is not sent again.
      await new Promise((r) => setTimeout(r, 5 * FAST.intervalMs));
      expect(telegram.messages.slice(before)).toHaveLength(1);
      expect(alerts[0].chat_id).toBe(CHAT_ID);
      expect(alerts[0].text).toContain(
        'CRITICAL WORKER_UNHEALTHY: worker does not answer its health check',
      );
      expect(alerts[0].text).toContain(`killing pid ${first.pid} for the supervisor to restart`);
      expect(said).toContainEqual(
        expect.stringMatching(/^worker has not answered .* 3 times in a row .*: unhealthy/),
      );
      expect(said).toContainEqual(expect.stringMatching(/^restarting worker in \d+ ms/));
      const log = fs.readFileSync(supervisorLog, 'utf8');
      expect(log).toContain('service unhealthy');
      expect(log).not.toContain(BOT_TOKEN);
    } finally {
      await stop();
    }
  });

  it('leaves an answering worker alone while another service crash-loops', async () => {
    const before = telegram.messages.length;
    const { supervisor, first, said, stop } = await stackWithWatchdog(undefined);
    try {
      supervisor.start({
        name: 'exchange',
        command: process.execPath,
        args: ['-e', 'process.exit(3)'],
        logFile: path.join(os.tmpdir(), `exchange-crash-${process.pid}.log`),
      });
      await eventually(
        async () => said.filter((m) => m.startsWith('restarting exchange')).length,
        (n) => n >= 5,
        15_000,
      );
      await new Promise((r) => setTimeout(r, 10 * FAST.intervalMs));
      expect(supervisor.running('worker')?.pid).toBe(first.pid);
      expect(first.exitCode).toBeNull();
      expect(said.filter((m) => m.startsWith('worker'))).toEqual([]);
      expect(telegram.messages.slice(before)).toEqual([]);
    } finally {
      await stop();
    }
  });
});
