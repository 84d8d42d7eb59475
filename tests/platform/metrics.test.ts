import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keyPathToEnvName } from '../../src/config/load';
import { istDateOf } from '../../src/domain/calendar';
import { METRIC_NAMES, TEMPORAL_SDK_METRIC_NAMES } from '../../src/observability/metric-names';
import {
  accountSummaryQuery,
  accountWorkflowId,
  forceExitSignal,
} from '../../src/workflows/messages';
import { eventually } from '../harness/eventually';
import { freePort } from '../harness/free-port';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import { openPosition, waitForPhase } from '../harness/positions';
import { declaredFamilies, sampleValue } from '../harness/prometheus-text';
import { WorkerProcess } from '../harness/worker-process';

jest.setTimeout(180_000);

let stack: PaperStack;
let worker: WorkerProcess;
let base: string;
let sdkUrl: string;

beforeAll(async () => {
  stack = await startPaperStack({ inProcessWorker: false });
  const [port, sdkPort] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${port}`;
  sdkUrl = `http://127.0.0.1:${sdkPort}/metrics`;
  const logFile = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), 'metrics-worker-')),
    'worker.log',
  );
  worker = new WorkerProcess({
    config: stack.config,
    logFile,
    env: {
      [keyPathToEnvName(['metrics', 'port'])]: String(port),
      [keyPathToEnvName(['metrics', 'temporalPort'])]: String(sdkPort),
      [keyPathToEnvName(['metrics', 'refreshSeconds'])]: '1',
    },
  });
  await worker.start();
});
afterAll(async () => {
  await worker?.stop();
  await stack?.stop();
});

const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
};
const metrics = async () => (await get(`${base}/metrics`)).text;
const readyz = async () => {
  const { status, text } = await get(`${base}/readyz`);
  return {
    status,
    body: JSON.parse(text) as { ready: boolean; checks: Record<string, { ok: boolean }> },
  };
};

describe('worker /metrics, /healthz and /readyz, a worker process on a paper stack', () => {
  it('/healthz answers from the worker process itself', async () => {
    const { status, text } = await get(`${base}/healthz`);
    expect(status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ status: 'ok', pid: worker.pid });
  });

  it('carries the Temporal SDK metrics and every trading metric, and counts what a position does', async () => {
    const { handle } = await openPosition(stack);
    const open = await eventually(
      metrics,
      (t) =>
        sampleValue(t, 'trader_positions', { phase: 'OPEN' }) === 1 &&
        TEMPORAL_SDK_METRIC_NAMES.every((name) => declaredFamilies(t).includes(name)),
      20_000,
    );
    expect(declaredFamilies(open)).toEqual(expect.arrayContaining([...METRIC_NAMES]));
    expect(declaredFamilies(open)).toEqual(expect.arrayContaining([...TEMPORAL_SDK_METRIC_NAMES]));
    expect(sampleValue(open, 'trader_orders_total', { outcome: 'placed', side: 'BUY' })).toBe(1);
    expect(sampleValue(open, 'trader_feed_connected')).toBe(1);
    expect(
      sampleValue(open, 'trader_feed_staleness_seconds', { underlying: 'NIFTY' }),
    ).toBeLessThan(stack.config.feed.staleAfterSeconds);
    expect(sampleValue(open, 'trader_ready')).toBe(1);
    // The same SDK text as the exporter's own port serves.
    expect((await get(sdkUrl)).text).toMatch(/^temporal_request\{/m);

    await handle.signal(forceExitSignal, 'metrics test');
    await waitForPhase(handle, 'CLOSED');
    const book = await stack.client.workflow
      .getHandle(accountWorkflowId(istDateOf(Date.now())))
      .query(accountSummaryQuery);
    const closed = await eventually(
      metrics,
      (t) =>
        sampleValue(t, 'trader_positions', { phase: 'OPEN' }) === 0 &&
        sampleValue(t, 'trader_pnl_rupees', { kind: 'realised' }) === book.realisedPnl,
      20_000,
    );
    expect(sampleValue(closed, 'trader_orders_total', { outcome: 'placed', side: 'SELL' })).toBe(1);
    expect(sampleValue(closed, 'trader_pnl_rupees', { kind: 'realised' })).toBe(book.realisedPnl);
    expect(book.realisedPnl).not.toBe(0);
    expect(sampleValue(closed, 'trader_positions_exit_blocked')).toBe(0);
  });

  it('/readyz turns unready while the paper exchange is down and ready again after it restarts', async () => {
    expect((await eventually(readyz, (r) => r.status === 200)).status).toBe(200);
    const restarted = stack.restartExchange(15_000);
    try {
      // The feed notices first; the broker probe's answer is reused for a few seconds.
      const down = await eventually(
        readyz,
        (r) => r.status === 503 && !r.body.checks.broker.ok,
        12_000,
      );
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({
        ready: false,
        checks: { temporal: { ok: true }, broker: { ok: false }, feed: { ok: false } },
      });
    } finally {
      await restarted;
    }
    const up = await eventually(readyz, (r) => r.status === 200, 30_000);
    expect(up.body).toMatchObject({
      ready: true,
      checks: {
        temporal: { ok: true },
        broker: { ok: true },
        token: { ok: true },
        feed: { ok: true },
      },
    });
  });

  it('/readyz turns unready once the broker refuses the token, while the broker itself answers', async () => {
    await stack.control.expireSessions({ includeStatic: true });
    const refused = await eventually(readyz, (r) => r.status === 503, 15_000);
    expect(refused.body).toMatchObject({
      ready: false,
      checks: { broker: { ok: true }, token: { ok: false }, temporal: { ok: true } },
    });
    expect(JSON.stringify(refused.body)).not.toContain('paper_access_token');
  });
});
