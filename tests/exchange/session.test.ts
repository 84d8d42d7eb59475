import { KiteConnect, type Connect } from 'kiteconnect';
import { WebSocket } from 'ws';
import { PAPER_CREDENTIALS } from '../../src/config/secrets';
import { tokenExpiresAt } from '../../src/domain/broker-session';
import { startExchange } from '../../src/exchange';
import { ExchangeControl } from '../../src/exchange/control-client';
import { checksumOf } from '../../src/exchange/session/session-book';
import { parseIstTimestamp } from '../../src/exchange/time';
import { startHttpSink } from '../harness/http-sink';
import { baseOptions, CREDS, kiteFor, startTestExchange, suiteNow } from './helpers';

const SECRET = PAPER_CREDENTIALS.apiSecret;
const REDIRECT = 'http://127.0.0.1:9/kite/callback?app=trader';

let env: Awaited<ReturnType<typeof startTestExchange>>;
/** The exchange clock: the suite's, moved forward by `shift` when a test needs tomorrow morning. */
let shift = 0;
const now = () => suiteNow() + shift;

beforeAll(async () => {
  env = await startTestExchange({ now, loginRedirectUrl: REDIRECT });
});
afterAll(() => env.ex.close());
afterEach(() => (shift = 0));

const loginPage = (restUrl: string, apiKey = CREDS.apiKey) =>
  fetch(`${restUrl}/connect/login?api_key=${apiKey}&v=3`, { redirect: 'manual' });

/** What a browser would land on after logging in: the request token from the redirect. */
async function requestToken(restUrl = env.ex.restUrl): Promise<string> {
  const res = await loginPage(restUrl);
  const location = new URL(res.headers.get('location') ?? '');
  return location.searchParams.get('request_token') ?? '';
}

async function login(restUrl = env.ex.restUrl): Promise<{ kite: Connect; token: string }> {
  const kite = new KiteConnect({ api_key: CREDS.apiKey, root: restUrl });
  const session = await kite.generateSession(await requestToken(restUrl), SECRET);
  return { kite, token: session.access_token };
}

/** Whether the ticker takes this token at the handshake: 101 or Kite's 403. */
const tickerAccepts = (accessToken: string) =>
  new Promise<boolean>((resolve) => {
    const url = `${env.ex.tickerUrl}?api_key=${CREDS.apiKey}&access_token=${accessToken}`;
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.terminate();
      resolve(true);
    });
    ws.once('unexpected-response', (_req, res) => {
      ws.terminate();
      resolve(res.statusCode === 200);
    });
    ws.once('error', () => resolve(false));
  });

const refusal = (message: string) => ({ error_type: 'TokenException', message });

describe('the paper exchange login page', () => {
  it('approves at once and redirects like Kite with a one-time request token', async () => {
    const res = await loginPage(env.ex.restUrl);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe('http://127.0.0.1:9/kite/callback');
    expect(Object.fromEntries(location.searchParams)).toEqual({
      app: 'trader',
      action: 'login',
      type: 'login',
      status: 'success',
      request_token: expect.stringMatching(/^[a-f0-9]{32}$/),
    });
    expect(await requestToken()).not.toBe(location.searchParams.get('request_token'));
  });

  it('refuses another api key and a login URL without v=3', async () => {
    const wrong = await loginPage(env.ex.restUrl, 'someone_else');
    expect([wrong.status, await wrong.text()]).toEqual([400, expect.stringMatching(/api_key/)]);
    const old = await fetch(`${env.ex.restUrl}/connect/login?api_key=${CREDS.apiKey}`, {
      redirect: 'manual',
    });
    expect(old.status).toBe(400);
  });
});

describe('POST /session/token', () => {
  it('trades a request token for an access token the API and the ticker take, with a Kite session body', async () => {
    const kite = new KiteConnect({ api_key: CREDS.apiKey, root: env.ex.restUrl });
    const session = await kite.generateSession(await requestToken(), SECRET);
    expect(session).toMatchObject({
      user_id: 'PAPER1',
      user_type: 'individual',
      broker: 'ZERODHA',
      api_key: CREDS.apiKey,
      access_token: expect.stringMatching(/^[a-f0-9]{32}$/),
      refresh_token: '',
      meta: { demat_consent: 'empty' },
    });
    expect(session.access_token).not.toBe(CREDS.accessToken);
    expect(await kite.getProfile()).toMatchObject({ user_id: 'PAPER1' });
    expect(await tickerAccepts(session.access_token)).toBe(true);
  });

  it('stamps login_time in IST by the exchange clock, as Kite writes it', async () => {
    const rt = await requestToken();
    const res = await fetch(`${env.ex.restUrl}/session/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        api_key: CREDS.apiKey,
        request_token: rt,
        checksum: checksumOf(CREDS.apiKey, rt, SECRET),
      }).toString(),
    });
    const { data } = (await res.json()) as { data: { login_time: string } };
    expect(data.login_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(Math.abs((parseIstTimestamp(data.login_time) ?? 0) - now())).toBeLessThan(2_000);
  });

  it("checks the official client's checksum, and a wrong secret leaves the request token usable", async () => {
    const sink = await startHttpSink();
    try {
      await new KiteConnect({ api_key: CREDS.apiKey, root: sink.url })
        .generateSession('Rq7xY2aB9c', SECRET)
        .catch(() => undefined);
      const sent = new URLSearchParams(sink.requests[0].body);
      expect(sent.get('checksum')).toBe(checksumOf(CREDS.apiKey, 'Rq7xY2aB9c', SECRET));
    } finally {
      await sink.close();
    }
    const rt = await requestToken();
    const kite = new KiteConnect({ api_key: CREDS.apiKey, root: env.ex.restUrl });
    await expect(kite.generateSession(rt, 'not_the_secret')).rejects.toMatchObject(
      refusal('Invalid `checksum`.'),
    );
    await expect(kite.generateSession(rt, SECRET)).resolves.toHaveProperty('access_token');
  });

  it('takes a request token once, and never an unknown or stale one', async () => {
    const kite = new KiteConnect({ api_key: CREDS.apiKey, root: env.ex.restUrl });
    const rt = await requestToken();
    await kite.generateSession(rt, SECRET);
    const stale = refusal('Token is invalid or has expired.');
    await expect(kite.generateSession(rt, SECRET)).rejects.toMatchObject(stale);
    await expect(kite.generateSession('0123456789abcdef', SECRET)).rejects.toMatchObject(stale);
    const late = await requestToken();
    shift = 5 * 60_000;
    await expect(kite.generateSession(late, SECRET)).rejects.toMatchObject(stale);
  });

  it('names a missing field as an InputException', async () => {
    const res = await fetch(`${env.ex.restUrl}/session/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `api_key=${CREDS.apiKey}&request_token=abc`,
    });
    expect([res.status, await res.json()]).toEqual([
      400,
      expect.objectContaining({ error_type: 'InputException', message: 'Missing `checksum`.' }),
    ]);
  });
});

describe('access token lifetime', () => {
  it('ends at the first 06:00 IST after the login, by the exchange clock, on every route and the ticker', async () => {
    const { kite, token } = await login();
    const expiresAt = tokenExpiresAt(now());
    shift = expiresAt - suiteNow() - 1_000;
    await expect(kite.getOrders()).resolves.toBeDefined();
    expect(await tickerAccepts(token)).toBe(true);
    shift = expiresAt - suiteNow();
    const denied = refusal('Incorrect `api_key` or `access_token`.');
    await expect(kite.getOrders()).rejects.toMatchObject(denied);
    await expect(kite.getPositions()).rejects.toMatchObject(denied);
    await expect(kite.getQuote(['NSE:NIFTY 50'])).rejects.toMatchObject(denied);
    expect(await tickerAccepts(token)).toBe(false);
    // The fixtures' static token is not a session: it outlives every 06:00.
    await expect(env.kite.getOrders()).resolves.toBeDefined();
    expect(await tickerAccepts(CREDS.accessToken)).toBe(true);
  });

  it('ends at once through DELETE /session/token', async () => {
    const { kite, token } = await login();
    await expect(kite.invalidateAccessToken(token)).resolves.toBe(true);
    await expect(kite.getOrders()).rejects.toMatchObject(
      refusal('Incorrect `api_key` or `access_token`.'),
    );
    expect(await tickerAccepts(token)).toBe(false);
    await expect(kite.invalidateAccessToken(token)).rejects.toMatchObject({
      error_type: 'TokenException',
    });
  });

  it('ends every issued session through the control API, the static token only when asked', async () => {
    const ex = await startExchange(baseOptions({ now, loginRedirectUrl: REDIRECT }));
    try {
      const first = await login(ex.restUrl);
      const second = await login(ex.restUrl);
      const control = new ExchangeControl(ex.restUrl);
      expect(await control.expireSessions()).toBe(2);
      for (const { kite } of [first, second])
        await expect(kite.getOrders()).rejects.toMatchObject({ error_type: 'TokenException' });
      const fixture = kiteFor(ex.restUrl);
      await expect(fixture.getOrders()).resolves.toBeDefined();
      expect(await control.expireSessions({ includeStatic: true })).toBe(1);
      await expect(fixture.getOrders()).rejects.toMatchObject({ error_type: 'TokenException' });
    } finally {
      await ex.close();
    }
  });

  it('survives an exchange restart, as Kite sessions do, and honours a configured expiry time', async () => {
    const options = baseOptions({ now, loginRedirectUrl: REDIRECT, tokenExpiry: '07:30' });
    let ex = await startExchange(options);
    try {
      const { token } = await login(ex.restUrl);
      const loginAt = now();
      await ex.close();
      ex = await startExchange({ ...options, port: 0 });
      const kite = kiteFor(ex.restUrl, token);
      await expect(kite.getOrders()).resolves.toBeDefined();
      shift = tokenExpiresAt(loginAt, '07:30') - suiteNow();
      await expect(kite.getOrders()).rejects.toMatchObject({ error_type: 'TokenException' });
    } finally {
      await ex.close();
    }
  });
});
