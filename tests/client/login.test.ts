import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readTokenFile, writeTokenFile } from '../../src/adapters/kite/token-file';
import { PAPER_CREDENTIALS } from '../../src/config';
import { tokenExpiresAt } from '../../src/domain/broker-session';
import { startExchange, type RunningExchange } from '../../src/exchange';
import { ExchangeControl } from '../../src/exchange/control-client';
import { baseOptions } from '../exchange/helpers';
import { sessionEndAwayFrom } from '../harness/clock';
import { runCli, spawnCli, type CliRun } from './run-cli';

const API_SECRET = `secret${randomBytes(8).toString('hex')}`;
const REDIRECT = 'http://127.0.0.1:9/kite/callback';
/** The exchange and `trade` agree on it, as `tokenExpiryOf` reads it on paper. */
const SESSION_END = sessionEndAwayFrom(Date.now());

let exchange: RunningExchange;
let control: ExchangeControl;

beforeAll(async () => {
  exchange = await startExchange(
    baseOptions({
      credentials: { ...PAPER_CREDENTIALS, apiSecret: API_SECRET },
      loginRedirectUrl: REDIRECT,
      tokenExpiry: SESSION_END,
      now: Date.now,
    }),
  );
  control = new ExchangeControl(exchange.restUrl);
});
afterAll(() => exchange.close());

/** A fresh token file path and the environment that points `trade` at it and the exchange. */
function setup(extra: NodeJS.ProcessEnv = {}) {
  const tokenFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trade-login-')), 'kite.json');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TRADER_ENV: 'paper',
    TRADER__BROKER__REST_URL: exchange.restUrl,
    TRADER__BROKER__TICKER_URL: exchange.tickerUrl,
    TRADER__BROKER__TOKEN_FILE: tokenFile,
    TRADER__EXCHANGE__TOKEN_EXPIRY: SESSION_END,
    KITE_API_SECRET: API_SECRET,
    ...extra,
  };
  return { tokenFile, env };
}

async function redirectUrl(): Promise<string> {
  const res = await fetch(
    `${exchange.restUrl}/connect/login?api_key=${PAPER_CREDENTIALS.apiKey}&v=3`,
    { redirect: 'manual' },
  );
  return res.headers.get('location')!;
}

async function pasteLogin(env: NodeJS.ProcessEnv, pasted: string): Promise<CliRun> {
  const cli = spawnCli(['login', '--json'], env);
  await cli.stderrMatching(/paste the request_token/);
  cli.child.stdin.end(`${pasted}\n`);
  return cli.done;
}

const status = async (env: NodeJS.ProcessEnv) => {
  const run = await runCli(['status', '--json'], env);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
};

describe('trade login', () => {
  it('stores the token 0600 with its expiry and prints neither the token nor the request token', async () => {
    const { tokenFile, env } = setup();
    const pasted = await redirectUrl();
    const requestToken = new URL(pasted).searchParams.get('request_token')!;
    const before = Date.now();
    const run = await pasteLogin(env, requestToken);
    expect(run.code).toBe(0);
    const read = readTokenFile(tokenFile);
    if (read.status !== 'ok') throw new Error(`token file ${read.status}`);
    expect(read.mode).toBe(0o600);
    expect(read.token).toMatchObject({ apiKey: PAPER_CREDENTIALS.apiKey, userId: 'PAPER1' });
    // Kite's login_time has whole seconds.
    expect(read.token.loginAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(read.token.expiresAt).toBe(tokenExpiresAt(read.token.loginAt, SESSION_END));
    expect(JSON.parse(run.stdout)).toEqual({
      userId: 'PAPER1',
      tokenFile,
      mode: '600',
      loginAt: new Date(read.token.loginAt).toISOString(),
      expiresAt: new Date(read.token.expiresAt).toISOString(),
    });
    for (const secret of [read.token.accessToken, requestToken, API_SECRET])
      expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it('says what the broker refused, leaving the stored token alone', async () => {
    const { tokenFile, env } = setup();
    expect((await pasteLogin(env, await redirectUrl())).code).toBe(0);
    const kept = fs.readFileSync(tokenFile, 'utf8');
    const wrongSecret = await pasteLogin(
      { ...env, KITE_API_SECRET: 'not_the_secret' },
      await redirectUrl(),
    );
    expect(wrongSecret).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/TokenException: Invalid `checksum`/),
    });
    expect(wrongSecret.stderr).not.toContain('not_the_secret');
    expect(fs.readFileSync(tokenFile, 'utf8')).toBe(kept);
    const used = await redirectUrl();
    expect((await pasteLogin(env, used)).code).toBe(0);
    const renewed = fs.readFileSync(tokenFile, 'utf8');
    expect(renewed).not.toBe(kept);
    const again = await pasteLogin(env, used);
    expect(again).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/Token is invalid or has expired/),
    });
    expect(fs.readFileSync(tokenFile, 'utf8')).toBe(renewed);
  });

  it('refuses input that is not a request token, and a failed login redirect, as bad input', async () => {
    const { tokenFile, env } = setup();
    const garbage = await pasteLogin(env, 'hello world');
    expect(garbage).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/request_token: expected/),
    });
    const failed = (await redirectUrl()).replace('status=success', 'status=cancelled');
    expect(await pasteLogin(env, failed)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/status=cancelled/),
    });
    expect(fs.existsSync(tokenFile)).toBe(false);
  });
});

describe('trade status', () => {
  it('reports the environment token, then the file from a login, then logged out once the broker ends it', async () => {
    const { tokenFile, env } = setup({ KITE_ACCESS_TOKEN: undefined });
    // Paper mode falls back to the well-known token when the environment has none.
    expect(await status(env)).toMatchObject({
      state: 'valid',
      source: 'env',
      tokenFileStatus: 'missing',
    });
    expect((await pasteLogin(env, await redirectUrl())).code).toBe(0);
    const valid = await status(env);
    expect(valid).toMatchObject({
      state: 'valid',
      source: 'file',
      userId: 'PAPER1',
      tokenFileMode: '600',
    });
    expect(JSON.stringify(valid)).not.toContain(
      JSON.parse(fs.readFileSync(tokenFile, 'utf8')).accessToken,
    );
    const human = await runCli(['status'], env);
    expect(human.stdout).toMatch(/^token\s+valid$/m);
    expect(human.stdout).toMatch(
      new RegExp(`^expires \\(IST\\)\\s+\\d{4}-\\d{2}-\\d{2} ${SESSION_END}:00$`, 'm'),
    );

    await control.expireSessions();
    expect(await status(env)).toMatchObject({ state: 'logged-out', source: 'file' });
    expect((await runCli(['status'], env)).stdout).toMatch(/^token\s+logged out by the broker/m);
  });

  it('reports no token as missing, an expired file as expired without asking the broker, and a loose mode', async () => {
    // The live example profile points at Kite itself: nothing here may reach it, and nothing does.
    const { tokenFile, env } = setup({
      TRADER_ENV: 'live.example',
      KITE_API_KEY: 'kitefront',
      TRADER__BROKER__REST_URL: undefined,
      TRADER__BROKER__TICKER_URL: undefined,
    });
    expect((await runCli(['status'], env)).stdout).toMatch(
      /^token\s+missing: run npx trade login$/m,
    );
    const loginAt = Date.now() - 2 * 86_400_000;
    writeTokenFile(tokenFile, {
      apiKey: 'kitefront',
      accessToken: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      userId: 'AB1234',
      loginAt,
      expiresAt: tokenExpiresAt(loginAt),
    });
    fs.chmodSync(tokenFile, 0o644);
    const run = await runCli(['status'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^token\s+expired: run npx trade login$/m);
    expect(run.stdout).toMatch(/mode 644: expected 600/);
    expect(run.stdout).not.toContain('a1b2c3d4e5f60718293a4b5c6d7e8f90');
  });
});
