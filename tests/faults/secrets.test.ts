import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { KiteConnect } from 'kiteconnect';
import { PAPER_CREDENTIALS } from '../../src/config';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import { submitSignal } from '../../src/client/submit';
import { accountTaskQueue } from '../../src/workflows/messages';
import { newSignal, openPosition } from '../harness/positions';
import { historyText } from '../harness/history-text';
import { WorkerProcess } from '../harness/worker-process';
import { expectExchangeTruth } from './helpers/exchange-truth';

// Random, so a hit can only come from this session, never from a fixture or a default.
const FAKE = {
  apiKey: `fakekey${randomBytes(6).toString('hex')}`,
  accessToken: `faketoken${randomBytes(8).toString('hex')}`,
};

/**
 * The history with payload bytes as text, so a secret inside an activity
 * input or result is as visible as one in a plain field (Temporal's JSON
 * form would show it base64-encoded, where a plain search cannot see it).
 */
/** Every run of every workflow this session's worker ran, as exported through the client. */
async function exportHistories(client: Client, taskQueue: string): Promise<Map<string, string>> {
  const histories = new Map<string, string>();
  const queues = [taskQueue, accountTaskQueue(taskQueue)].map((q) => `"${q}"`).join(', ');
  for await (const run of client.workflow.list({ query: `TaskQueue IN (${queues})` })) {
    const handle = client.workflow.getHandle(run.workflowId, run.runId);
    histories.set(`${run.workflowId}/${run.runId}`, await historyText(handle));
  }
  return histories;
}

describe('secrets stay out of logs and workflow histories', () => {
  const logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-')), 'worker.log');
  let stack: PaperStack;
  let worker: WorkerProcess;
  beforeAll(async () => {
    stack = await startPaperStack({ inProcessWorker: false, credentials: FAKE });
    worker = new WorkerProcess({
      config: stack.config,
      logFile,
      env: { KITE_API_KEY: FAKE.apiKey, KITE_ACCESS_TOKEN: FAKE.accessToken },
    });
    await worker.start();
  });
  afterAll(async () => {
    await worker.stop();
    await stack.stop();
  });

  it('runs a session through faults with a known key and token, then finds neither', async () => {
    // The paths most likely to leak: refusals, ambiguous placements, 5xx retries, reconnects.
    await stack.control.injectFaults({ rejectOrders: { count: 1, reason: 'RMS: secrets test' } });
    const refused = await submitSignal(stack.client, stack.config, newSignal());
    expect((await refused.handle.result()).outcome).toBe('ENTRY_FAILED');

    await stack.control.injectFaults({ dropOrderResponses: 1 });
    const { handle, state } = await openPosition(stack);
    await stack.restartExchange(300);
    await stack.control.injectFaults({
      failRequests: { count: 1, status: 500 },
      rejectOrders: { count: 1, reason: 'RMS: secrets test' },
    });
    await stack.control.pinPrice(state.contract!.token, state.exits!.stopLoss);
    const { orders } = await expectExchangeTruth(stack, handle);

    // The key and token were really in use: the exchange takes no others, and it took the worker's orders.
    expect(orders.length).toBeGreaterThanOrEqual(3);
    const impostor = new KiteConnect({
      api_key: PAPER_CREDENTIALS.apiKey,
      root: stack.exchange.restUrl,
    });
    impostor.setAccessToken(PAPER_CREDENTIALS.accessToken);
    await expect(impostor.getOrders()).rejects.toMatchObject({ error_type: 'TokenException' });

    const log = fs.readFileSync(logFile, 'utf8');
    const histories = await exportHistories(stack.client, stack.config.temporal.taskQueue);
    // The search can see what it searches: the faults left their mark in both.
    expect(log).toContain('order placement ambiguous');
    expect(log).toContain(handle.workflowId);
    expect([...histories.keys()].map((k) => k.split('/')[0])).toEqual(
      expect.arrayContaining([
        handle.workflowId,
        refused.workflowId,
        `account-${state.accountDay}`,
      ]),
    );
    const historyOf = (workflowId: string) =>
      [...histories].find(([k]) => k.startsWith(workflowId))![1];
    expect(historyOf(handle.workflowId)).toContain(state.contract!.tradingSymbol);
    // A refusal's text, as the broker wrote it. (Where the injected 500 lands is a race: the
    // trigger, the workflow's exit round, the reconciler or the feed's REST fallback.)
    expect(historyOf(refused.workflowId)).toContain('RMS: secrets test');

    for (const secret of [FAKE.apiKey, FAKE.accessToken]) {
      expect(log).not.toContain(secret);
      for (const [run, text] of histories)
        expect({ run, leaked: text.includes(secret) }).toEqual({ run, leaked: false });
    }
  });
});
