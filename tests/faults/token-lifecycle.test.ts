import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { Writable } from 'node:stream';
import { PAPER_CREDENTIALS, type Config } from '../../src/config';
import { readTokenFile } from '../../src/adapters/kite/token-file';
import { submitSignal } from '../../src/client/submit';
import { createLogger } from '../../src/log';
import { startFakeTelegram, type FakeTelegram } from '../harness/fake-telegram';
import { sessionEndAwayFrom } from '../harness/clock';
import { historyText } from '../harness/history-text';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import { newSignal, openPosition, waitForPhase, waitForState } from '../harness/positions';
import { cliEnv, runCliJson, spawnCli, type CliRun } from '../client/run-cli';
import { expectExchangeTruth } from './helpers/exchange-truth';

// Random, so a hit in a log, a message or a history can only come from this run.
const API_SECRET = `secret${randomBytes(8).toString('hex')}`;
const BOT_TOKEN = `424242:bot${randomBytes(8).toString('hex')}`;
const CHAT_ID = 4242;

/** A loopback port nobody holds now: the exchange must know the redirect URL before the CLI listens on it. */
async function unusedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function eventually(what: string, check: () => boolean | Promise<boolean>, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The worker's log lines, through the production logger and its redaction. */
function capturedLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({
    name: 'worker',
    level: 'info',
    secrets: [PAPER_CREDENTIALS.accessToken, API_SECRET, BOT_TOKEN],
    destination,
  });
  return { logger, text: () => lines.join('') };
}

interface TokenStatus {
  state: string;
  source?: string;
  expiresAt?: string;
}

describe('an expired Kite session under an open position, renewed by trade login', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'token-lifecycle-'));
  const tokenFile = path.join(dir, 'kite-token.json');
  const log = capturedLogger();
  const sessionEnd = sessionEndAwayFrom(Date.now());
  let redirectPort: number;
  let telegram: FakeTelegram;
  let stack: PaperStack;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    redirectPort = await unusedPort();
    telegram = await startFakeTelegram({ token: BOT_TOKEN });
    stack = await startPaperStack({
      credentials: { ...PAPER_CREDENTIALS, apiSecret: API_SECRET },
      exchange: {
        loginRedirectUrl: `http://127.0.0.1:${redirectPort}/kite/callback`,
        tokenExpiry: sessionEnd,
      },
      secrets: { telegramBotToken: BOT_TOKEN },
      logger: log.logger,
      overrides: (c: Config) => ({
        ...c,
        broker: { ...c.broker, tokenFile },
        exchange: { ...c.exchange, tokenExpiry: sessionEnd },
        exits: { ...c.exits, retryMaxSeconds: 2 },
        notify: {
          ...c.notify,
          stateDir: path.join(dir, 'notify'),
          telegram: {
            enabled: true,
            chatId: CHAT_ID,
            apiUrl: telegram.apiUrl,
            events: ['TOKEN_EXPIRED'],
          },
        },
      }),
    });
    env = {
      ...cliEnv(stack.config),
      TRADER__BROKER__REST_URL: stack.config.broker.restUrl,
      TRADER__BROKER__TICKER_URL: stack.config.broker.tickerUrl,
      TRADER__BROKER__TOKEN_FILE: tokenFile,
      TRADER__EXCHANGE__TOKEN_EXPIRY: sessionEnd,
      KITE_API_SECRET: API_SECRET,
    };
  });
  afterAll(async () => {
    await stack.stop();
    await telegram.close();
  });

  const loginUrl = () =>
    `${stack.exchange.restUrl}/connect/login?api_key=${PAPER_CREDENTIALS.apiKey}&v=3`;

  /** The browser's part: open the login page, get sent to the app's redirect URL. */
  async function approve(): Promise<URL> {
    const res = await fetch(loginUrl(), { redirect: 'manual' });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!);
  }

  const accessTokenInFile = (): string => {
    const read = readTokenFile(tokenFile);
    if (read.status !== 'ok') throw new Error(`token file ${read.status}`);
    return read.token.accessToken;
  };

  it('blocks the exit, refuses entries and alerts while expired, then exits on the new token, the worker never restarted', async () => {
    const worker = stack.worker!;
    const cliRuns: CliRun[] = [];
    const requestTokens: string[] = [];
    const accessTokens: string[] = [];

    // The day's first login, through the one-shot redirect listener.
    const first = spawnCli(['login', '--listen', String(redirectPort)], env);
    const printed = await first.stderrMatching(/Log in to Kite at:\n\s+(\S+)/);
    expect(printed[1]).toBe(loginUrl());
    await first.stderrMatching(/Waiting up to/);
    const redirect = await approve();
    requestTokens.push(redirect.searchParams.get('request_token')!);
    expect(await (await fetch(redirect)).text()).toMatch(/Logged in/);
    const firstRun = await first.done;
    cliRuns.push(firstRun);
    expect(firstRun).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/logged in\s+PAPER1/),
    });
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
    accessTokens.push(accessTokenInFile());
    await eventually('the worker uses the new token', () => worker.session.token.source === 'file');
    expect(worker.session.renewals).toBe(1);

    const { handle, state } = await openPosition(stack);
    const { token } = state.contract!;
    await eventually('the stop is watched', () => worker.hub.subscribedTokens.includes(token));
    expect((await runCliJson<TokenStatus>(['status'], env)).state).toBe('valid');

    // 06:00 comes for the session; the ticker connection made before it stays up, as on Kite.
    expect(await stack.control.expireSessions()).toBe(1);
    await stack.control.pinPrice(token, state.exits!.stopLoss);
    const blocked = await waitForState(handle, (s) => s.exitBlocked !== undefined);
    expect(blocked).toMatchObject({ phase: 'EXITING', exitReason: 'STOP_LOSS', exitFills: [] });
    expect(blocked.exitBlocked).toMatch(/BrokerAuth/);
    await waitForState(handle, (s) => s.attention !== undefined);
    expect(worker.session.state()).toBe('logged-out');

    await eventually('the alert reaches Telegram', () =>
      telegram.messages.some((m) => m.text.includes('TOKEN_EXPIRED')),
    );
    const alert = telegram.messages.find((m) => m.text.includes('TOKEN_EXPIRED'))!;
    expect(alert.chat_id).toBe(CHAT_ID);
    expect(alert.text).toMatch(/Kite session ended: run npx trade login/);
    expect(alert.text).toMatch(/refused the Kite access token/);
    const status = await runCliJson<TokenStatus>(['status'], env);
    expect(status).toMatchObject({ state: 'logged-out', source: 'file' });

    // Nothing is sold while the broker refuses the session, and a new signal buys nothing.
    const refusedEntry = await submitSignal(stack.client, stack.config, newSignal());
    const ended = await refusedEntry.handle.result();
    expect(ended.outcome).toBe('ENTRY_FAILED');
    expect(ended.reasons?.join(' ')).toMatch(/BrokerAuth/);
    const orders = (await stack.kite.getOrders()) as unknown as Array<Record<string, unknown>>;
    expect(orders.filter((o) => o.transaction_type === 'SELL')).toEqual([]);
    expect(orders.filter((o) => o.transaction_type === 'BUY')).toHaveLength(1);

    // The operator logs in again, pasting the redirect URL from the browser.
    const again = await approve();
    requestTokens.push(again.searchParams.get('request_token')!);
    const second = spawnCli(['login'], env);
    await second.stderrMatching(/paste the request_token/);
    second.child.stdin.end(`${again.toString()}\n`);
    const secondRun = await second.done;
    cliRuns.push(secondRun);
    expect(secondRun.code).toBe(0);
    accessTokens.push(accessTokenInFile());

    const closed = await waitForPhase(handle, 'CLOSED');
    expect(closed.exitReason).toBe('STOP_LOSS');
    await expectExchangeTruth(stack, handle);
    expect(worker.session.renewals).toBe(2);
    expect(worker.session.state()).toBe('valid');
    expect(await runCliJson<TokenStatus>(['status'], env)).toMatchObject({ state: 'valid' });
    // Alerted once for the session that ended, not once per refused call.
    expect(telegram.messages.filter((m) => m.text.includes('TOKEN_EXPIRED'))).toHaveLength(1);

    const secrets = [...requestTokens, ...accessTokens, API_SECRET, BOT_TOKEN];
    const places = {
      log: log.text(),
      cli: cliRuns.map((r) => r.stdout + r.stderr).join('\n'),
      telegram: JSON.stringify(telegram.messages),
      history: await historyText(handle),
    };
    expect(places.log).toContain('Kite session renewed from the token file');
    expect(places.history).toContain('BrokerAuth');
    for (const secret of secrets) {
      for (const [where, text] of Object.entries(places))
        expect({ where, leaked: text.includes(secret) }).toEqual({ where, leaked: false });
    }
  }, 180_000);
});
