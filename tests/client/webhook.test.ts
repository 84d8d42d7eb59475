import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config';
import { startWebhook, type RunningWebhook } from '../../src/client/webhook';
import { createLogger } from '../../src/log';
import { historyText } from '../harness/history-text';
import { workerNamespace } from '../harness/namespaces';
import { startTestWorker, type RunningWorker } from '../harness/temporal';

const SECRET = 'test-webhook-secret-4f9a';
const ROOT = path.resolve(__dirname, '../..');

/**
 * `npm run webhook` as its own process under the shipped live profile, with
 * only the environment given: no Kite credentials unless a test adds them.
 * Resolves with the URL it listens on, or with how it exited.
 */
function runWebhookMain(env: NodeJS.ProcessEnv) {
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'webhook-live-'));
  fs.copyFileSync(path.join(ROOT, 'config/default.yaml'), path.join(configDir, 'default.yaml'));
  fs.copyFileSync(path.join(ROOT, 'config/live.example.yaml'), path.join(configDir, 'live.yaml'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/client/webhook-main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TRADER_ENV: 'live',
      TRADER_CONFIG_DIR: configDir,
      TRADER__WEBHOOK__PORT: '0',
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  const outcome = new Promise<{ url?: string; code?: number | null; stderr: string }>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const listening = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg?: string; url?: string })
        .find((l) => l.msg === 'webhook listening');
      if (listening) resolve({ url: listening.url, stderr });
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { outcome, stop };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/**
 * Raw node:http rather than fetch: the server answers 413 before the body is
 * sent, and the reply must be readable even when the upload is cut short.
 */
function request(
  url: string,
  options: {
    method?: string;
    body?: string | Buffer;
    headers?: Record<string, string>;
    chunked?: boolean;
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'POST', headers: options.headers });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          headers: res.headers,
          body: text ? JSON.parse(text) : {},
        }),
      );
    });
    // The server may close mid-upload after an early 413; the response has what the test needs.
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    if (options.chunked && options.body) {
      const body = Buffer.from(options.body);
      for (let i = 0; i < body.length; i += 1024) req.write(body.subarray(i, i + 1024));
      req.end();
    } else req.end(options.body);
  });
}

const alert = (over: Record<string, unknown> = {}) => ({
  id: `wh-${Math.random().toString(36).slice(2, 10)}`,
  underlying: 'NIFTY',
  direction: 'LONG',
  strategy: 'tv-test',
  // Below the minimum: the position is REJECTED by the workflow without any broker.
  strength: 2,
  expectedMovePct: 0.5,
  ...over,
});

describe('webhook intake against a real Temporal server', () => {
  let worker: RunningWorker;
  let connection: Connection;
  let client: Client;
  let config: Config;
  let webhook: RunningWebhook;
  const logLines: string[] = [];

  const start = (over: Partial<Config['webhook']> = {}, secret: string | undefined = SECRET) =>
    startWebhook({
      config: { ...config, webhook: { ...config.webhook, port: 0, ...over } },
      client,
      secret,
      logger: createLogger({
        name: 'webhook-test',
        destination: { write: (line: string) => void logLines.push(line) },
      }),
    });
  const post = (
    body: unknown,
    headers: Record<string, string> = { 'X-Webhook-Secret': SECRET },
    path = '/signal',
  ) =>
    request(`${webhook.url}${path}`, {
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', ...headers },
    });

  beforeAll(async () => {
    const namespace = workerNamespace();
    worker = await startTestWorker({ activities: {}, namespace });
    const base = loadConfig({ env: {} });
    config = {
      ...base,
      temporal: {
        ...base.temporal,
        address: process.env.TEMPORAL_TEST_ADDRESS!,
        namespace,
        taskQueue: worker.taskQueue,
      },
    };
    connection = await Connection.connect({ address: config.temporal.address });
    client = new Client({ connection, namespace });
    webhook = await start({ requestsPerMinute: 1_000 });
  });
  afterAll(async () => {
    await webhook.close();
    await worker.stop();
    await connection.close();
  });

  it('accepts an alert: 202 with the workflow id and its Web UI link', async () => {
    const signal = alert();
    const reply = await post({ ...signal, createdAt: new Date().toISOString() });
    expect(reply.status).toBe(202);
    expect(reply.body).toEqual({
      workflowId: `pos-${signal.id}`,
      uiUrl: `http://localhost:${config.temporal.uiPort}/namespaces/${config.temporal.namespace}/workflows/pos-${signal.id}`,
      duplicate: false,
    });
    const summary = await client.workflow.getHandle(`pos-${signal.id}`).result();
    expect(summary).toMatchObject({ outcome: 'REJECTED', strategy: 'tv-test' });
  });

  it('takes a TradingView-style alert with the secret in the body, keeping it out of the history', async () => {
    const signal = alert();
    const reply = await post({ ...signal, passphrase: SECRET }, {}, '/tradingview');
    expect(reply.status).toBe(202);
    const handle = client.workflow.getHandle(`pos-${signal.id}`);
    await handle.result();
    const history = await historyText(handle);
    // The signal travelled in the same payload the secret would have.
    expect(history).toContain(signal.id);
    expect(history).not.toContain(SECRET);
    expect(logLines.join('')).not.toContain(SECRET);
  });

  it('answers a duplicate alert id with 200 and the same workflow', async () => {
    const signal = alert();
    const first = await post(signal);
    const second = await post(signal);
    expect(first.status).toBe(202);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ duplicate: true, workflowId: first.body.workflowId });
  });

  it.each([
    ['a wrong header secret', { 'X-Webhook-Secret': 'not-the-secret' }, {}],
    ['no secret at all', {}, {}],
    ['a wrong body secret', {}, { secret: 'not-the-secret' }],
    ['a non-string body secret', {}, { secret: 12345 }],
  ])('refuses %s with 401 and starts nothing', async (_, headers, extra) => {
    const signal = alert();
    const reply = await post({ ...signal, ...extra }, headers);
    expect(reply.status).toBe(401);
    await expect(client.workflow.getHandle(`pos-${signal.id}`).describe()).rejects.toThrow(
      /not found/i,
    );
  });

  it('refuses a malformed alert with 400 naming each field', async () => {
    const signal = alert({ strength: 'strong', direction: 'UP' });
    const reply = await post(signal);
    expect(reply.status).toBe(400);
    const errors = (reply.body.errors as string[]).join('\n');
    expect(errors).toMatch(/^strength: /m);
    expect(errors).toMatch(/^direction: /m);
    await expect(client.workflow.getHandle(`pos-${signal.id}`).describe()).rejects.toThrow(
      /not found/i,
    );
    const notJson = await request(`${webhook.url}/signal`, {
      body: '{"id": ',
      headers: { 'X-Webhook-Secret': SECRET },
    });
    expect(notJson).toMatchObject({ status: 400, body: { error: 'body: expected a JSON object' } });
  });

  it('refuses an oversized body with 413, by declared length or by counting', async () => {
    const big = JSON.stringify(alert({ strategy: 'x'.repeat(config.webhook.bodyLimitBytes) }));
    const declared = await request(`${webhook.url}/signal`, {
      body: big,
      headers: { 'X-Webhook-Secret': SECRET },
    });
    expect(declared.status).toBe(413);
    const streamed = await request(`${webhook.url}/signal`, {
      body: big,
      chunked: true,
      headers: { 'X-Webhook-Secret': SECRET },
    });
    expect(streamed.status).toBe(413);
  });

  it('answers 404 for an unknown path and 405 for a wrong method', async () => {
    expect((await request(`${webhook.url}/orders`, { body: '{}' })).status).toBe(404);
    const get = await request(`${webhook.url}/signal`, { method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
  });

  it('rate-limits a client with 429 and Retry-After', async () => {
    const limited = await start({ requestsPerMinute: 2 });
    try {
      const send = () =>
        request(`${limited.url}/signal`, {
          body: JSON.stringify(alert()),
          headers: { 'X-Webhook-Secret': SECRET },
        });
      expect((await send()).status).toBe(202);
      expect((await send()).status).toBe(202);
      const third = await send();
      expect(third.status).toBe(429);
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('charges the rate limit after authentication: a flood of bad secrets spends only its own budget', async () => {
    const limited = await start({ requestsPerMinute: 2 });
    try {
      const send = (body: string, headers: Record<string, string>) =>
        request(`${limited.url}/signal`, { body, headers });
      const guesses = [];
      // Not even JSON: unauthenticated, so a 401 (not a 400 that would tell the body was read).
      guesses.push((await send('{"id": ', {})).status);
      for (let i = 0; i < 5; i++) {
        const reply = await send(JSON.stringify(alert()), { 'X-Webhook-Secret': `guess-${i}` });
        guesses.push(reply.status);
        if (reply.status === 429) expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0);
      }
      expect(guesses).toEqual([401, 401, 429, 429, 429, 429]);
      // Same address, the real secret: its whole budget is still there.
      const real = () => send(JSON.stringify(alert()), { 'X-Webhook-Secret': SECRET });
      expect([(await real()).status, (await real()).status, (await real()).status]).toEqual([
        202, 202, 429,
      ]);
    } finally {
      await limited.close();
    }
  });

  it.each([
    ['missing', {}],
    ['null', { createdAt: null }],
  ])(
    'refuses an alert whose createdAt is %s where webhook.requireCreatedAt is on',
    async (_, extra) => {
      const strict = await start({ requireCreatedAt: true });
      try {
        const send = (body: unknown) =>
          request(`${strict.url}/signal`, {
            body: JSON.stringify(body),
            headers: { 'X-Webhook-Secret': SECRET },
          });
        const signal = alert();
        const refused = await send({ ...signal, ...extra });
        expect(refused.status).toBe(400);
        expect(refused.body).toEqual({
          error: 'invalid signal',
          errors: [expect.stringMatching(/^createdAt: /)],
        });
        await expect(client.workflow.getHandle(`pos-${signal.id}`).describe()).rejects.toThrow(
          /not found/i,
        );
        const dated = await send({ ...signal, createdAt: new Date().toISOString() });
        expect(dated.status).toBe(202);
      } finally {
        await strict.close();
      }
    },
  );

  it('runs in live mode holding no Kite credentials, and not at all without its secret', async () => {
    const temporal = {
      TRADER__TEMPORAL__ADDRESS: config.temporal.address,
      TRADER__TEMPORAL__NAMESPACE: config.temporal.namespace,
      TRADER__TEMPORAL__TASK_QUEUE: config.temporal.taskQueue,
    };
    const unsecured = runWebhookMain(temporal);
    const refusal = await unsecured.outcome;
    expect(refusal.code).toBe(1);
    expect(refusal.stderr).toContain('TRADER_WEBHOOK_SECRET is not set');

    const live = runWebhookMain({ ...temporal, TRADER_WEBHOOK_SECRET: SECRET });
    try {
      const { url, stderr } = await live.outcome;
      expect({ url, stderr }).toEqual({
        url: expect.stringMatching(/^http:/),
        stderr: expect.any(String),
      });
      const signal = alert();
      const reply = await request(`${url}/signal`, {
        body: JSON.stringify({ ...signal, createdAt: new Date().toISOString() }),
        headers: { 'X-Webhook-Secret': SECRET },
      });
      expect(reply.status).toBe(202);
      expect(await client.workflow.getHandle(`pos-${signal.id}`).result()).toMatchObject({
        outcome: 'REJECTED',
      });
    } finally {
      await live.stop();
    }
  });

  it('refuses to start without a secret outside paper mode', async () => {
    const live = { ...config, broker: { ...config.broker, mode: 'live' as const } };
    await expect(
      startWebhook({ config: live, client, secret: undefined, logger: pino({ level: 'silent' }) }),
    ).rejects.toThrow(/TRADER_WEBHOOK_SECRET is not set/);
  });
});
