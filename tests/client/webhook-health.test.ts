import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { startWebhook } from '../../src/client/webhook';
import { webhookObservability } from '../../src/client/webhook-observability';
import { loadConfig } from '../../src/config';
import { sampleValue } from '../harness/prometheus-text';

const ROOT = path.resolve(__dirname, '../..');

/** `npm run webhook` in paper mode against the suite's Temporal; resolves with its URL. */
function startWebhookMain(): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/client/webhook-main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TRADER_ENV: 'paper',
      TRADER__TEMPORAL__ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
      TRADER__WEBHOOK__PORT: '0',
    },
  });
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = /"msg":"webhook listening"/.test(out)
        ? out.split('\n').find((l) => l.includes('"webhook listening"'))
        : undefined;
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.on('exit', (code) => reject(new Error(`webhook exited with ${code}`)));
  });
  return { child, url };
}

const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
};

describe('webhook /healthz, /readyz and /metrics', () => {
  it('answers beside /signal in the real webhook process, ready while Temporal answers', async () => {
    const { child, url } = startWebhookMain();
    try {
      const base = await url;
      const health = await get(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(JSON.parse(health.text)).toMatchObject({ status: 'ok', pid: child.pid });
      const ready = await get(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(JSON.parse(ready.text)).toEqual({
        ready: true,
        checks: { temporal: { ok: true, detail: 'namespace default answers' } },
      });
      const metrics = await get(`${base}/metrics`);
      expect(sampleValue(metrics.text, 'trader_ready')).toBe(1);
      expect(sampleValue(metrics.text, 'trader_check_ok', { check: 'temporal' })).toBe(1);
      // The signal routes are still the webhook's own.
      expect((await get(`${base}/signal`)).status).toBe(405);
      expect((await get(`${base}/nowhere`)).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('is alive but not ready while Temporal does not answer', async () => {
    const defaults = loadConfig({ env: {} });
    const config = { ...defaults, webhook: { ...defaults.webhook, port: 0 } };
    // No retry interceptor: a retry timer still pending at close would outlive the test.
    const connection = Connection.lazy({ address: '127.0.0.1:1', interceptors: [] });
    const client = new Client({ connection, namespace: 'default' });
    const webhook = await startWebhook({
      config,
      client,
      secret: undefined,
      logger: pino({ level: 'silent' }),
      observability: webhookObservability(config, client),
    });
    try {
      expect((await get(`${webhook.url}/healthz`)).status).toBe(200);
      const ready = await get(`${webhook.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.text)).toMatchObject({
        ready: false,
        checks: { temporal: { ok: false } },
      });
      expect(sampleValue((await get(`${webhook.url}/metrics`)).text, 'trader_ready')).toBe(0);
    } finally {
      await webhook.close();
      await connection.close();
    }
  });
});
