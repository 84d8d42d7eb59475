import http from 'node:http';
import { Client, Connection } from '@temporalio/client';
import fc from 'fast-check';
import { loadConfig, type Config } from '../../../src/config';
import { startWebhook, type RunningWebhook } from '../../../src/client/webhook';
import { parseSignal } from '../../../src/domain/signal';
import { createLogger } from '../../../src/log';
import { workerNamespace } from '../../harness/namespaces';
import { uniqueTaskQueue } from '../../harness/temporal';
import { anyValue, signalWithOneBadField, validSignal } from './arbitraries';
import { namesSignalField } from './signal-fields';

const SECRET = 'props-webhook-secret-7c1e';

function post(url: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const req = http.request(`${url}/signal`, { method: 'POST', headers });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    // An early 413 closes the socket mid-upload; the response is what matters.
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    req.end(body);
  });
}

/** What the webhook does before validating: drops the secret fields, stamps a missing or null createdAt. */
function asReceived(body: Record<string, unknown>): Record<string, unknown> {
  const { secret: _s, passphrase: _p, ...alert } = body;
  return { ...alert, createdAt: alert.createdAt ?? new Date().toISOString() };
}

describe('webhook under bad input, against a real Temporal server', () => {
  let config: Config;
  let webhook: RunningWebhook;
  let connection: Connection;
  let client: Client;
  let starts: jest.SpyInstance;
  const namespace = workerNamespace();
  // A queue no worker polls, so anything that did start stays visible and inert.
  const taskQueue = uniqueTaskQueue('props-webhook');
  const started = async () => (await client.workflow.count(`TaskQueue = "${taskQueue}"`)).count;
  const send = (body: unknown, headers: Record<string, string> = { 'X-Webhook-Secret': SECRET }) =>
    post(webhook.url, typeof body === 'string' ? body : JSON.stringify(body), headers);

  beforeAll(async () => {
    connection = await Connection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS! });
    client = new Client({ connection, namespace });
    const base = loadConfig({ env: {} });
    config = {
      ...base,
      temporal: { ...base.temporal, namespace, taskQueue },
      webhook: { ...base.webhook, port: 0, requestsPerMinute: 1_000_000 },
    };
    starts = jest.spyOn(client.workflow, 'start');
    webhook = await startWebhook({
      config,
      client,
      secret: SECRET,
      logger: createLogger({ name: 'props-webhook', destination: { write: () => undefined } }),
    });
  });
  afterAll(async () => {
    await webhook.close();
    await connection.close();
  });

  it('any JSON body that is not a valid signal gets 400 naming each field', async () => {
    const body = fc.oneof(
      anyValue,
      fc.object({ values: [anyValue] }),
      signalWithOneBadField.map(({ input }) => input),
      validSignal.chain((s) =>
        fc.string({ minLength: 1_000, maxLength: 12_000 }).map((big) => ({ ...s, id: big })),
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, async (input) => {
        const json = JSON.parse(JSON.stringify(input) ?? 'null');
        const isObject = typeof json === 'object' && json !== null && !Array.isArray(json);
        fc.pre(!isObject || !parseSignal(asReceived(json)).ok);
        const reply = await send(JSON.stringify(input) ?? 'null');
        expect(reply.status).toBe(400);
        if (!isObject) return expect(reply.body).toEqual({ error: 'body: expected a JSON object' });
        const errors = reply.body.errors as string[];
        expect(errors.length).toBeGreaterThan(0);
        for (const error of errors) expect(namesSignalField(error, json)).toBe(true);
      }),
      { numRuns: 150 },
    );
    expect(starts).not.toHaveBeenCalled();
  });

  it('bytes that are not JSON get 400; bodies over the limit get 413', async () => {
    const limit = config.webhook.bodyLimitBytes;
    const notJson = fc
      .oneof(fc.string(), fc.uint8Array({ maxLength: 2_000 }).map(Buffer.from))
      .filter((b) => {
        try {
          JSON.parse(b.toString());
          return false;
        } catch {
          return true;
        }
      });
    const oversized = fc.integer({ min: limit + 1, max: limit * 4 }).map((n) => 'x'.repeat(n));
    await fc.assert(
      fc.asyncProperty(fc.oneof(notJson, oversized), async (raw) => {
        const reply = await post(webhook.url, raw, { 'X-Webhook-Secret': SECRET });
        expect(reply.status).toBe(Buffer.byteLength(raw) > limit ? 413 : 400);
      }),
      { numRuns: 60 },
    );
    expect(starts).not.toHaveBeenCalled();
  });

  it('a valid signal without the right secret gets 401', async () => {
    const wrong = fc.oneof(
      fc.constant({}),
      fc.string().map((s) => ({ 'X-Webhook-Secret': s })),
      fc.string().map((s) => ({ passphrase: s })),
      anyValue.map((secret) => ({ secret })),
    );
    await fc.assert(
      fc.asyncProperty(validSignal, wrong, async (signal, credentials) => {
        const inBody = 'X-Webhook-Secret' in credentials ? {} : credentials;
        const headers =
          'X-Webhook-Secret' in credentials ? (credentials as Record<string, string>) : {};
        fc.pre(!Object.values(credentials).includes(SECRET));
        // Header values must be valid HTTP header text; a client cannot send anything else.
        fc.pre(Object.values(headers).every((v) => /^[\t\x20-\x7e]*$/.test(v)));
        const reply = await send({ ...signal, ...inBody }, headers);
        expect(reply.status).toBe(401);
      }),
      { numRuns: 60 },
    );
    expect(starts).not.toHaveBeenCalled();
  });

  it('and so nothing reached Temporal, which the one valid signal sent now proves it would see', async () => {
    expect(await started()).toBe(0);
    const signal = fc.sample(validSignal, 1)[0];
    const reply = await send({ ...signal, createdAt: new Date().toISOString() });
    expect(reply.status).toBe(202);
    expect(starts).toHaveBeenCalledTimes(1);
    const workflow = client.workflow.getHandle(reply.body.workflowId as string);
    for (let i = 0; i < 50 && (await started()) === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await started()).toBe(1);
    await workflow.terminate('property test control');
  });
});
