import type { Client } from '@temporalio/client';
import { submitSignal } from '../../src/client/submit';
import { loadConfig } from '../../src/config';
import { SignalValidationError } from '../../src/domain/signal';
import { positionStateQuery } from '../../src/workflows/messages';
import { PhaseKey, OutcomeKey } from '../../src/workflows/search-attributes';
import { startTestWorker, testClient, type RunningWorker } from '../harness/temporal';

const baseSignal = (over: Record<string, unknown> = {}) => ({
  id: `val-${Math.random().toString(36).slice(2, 10)}`,
  underlying: 'NIFTY',
  direction: 'LONG',
  strategy: 'test',
  strength: 7,
  expectedMovePct: 0.5,
  createdAt: new Date().toISOString(),
  ...over,
});

describe('positionWorkflow VALIDATING on a real dev server', () => {
  let client: Client;
  let closeClient: () => Promise<void>;
  let worker: RunningWorker;

  beforeAll(async () => {
    ({ client, close: closeClient } = await testClient());
    // No activities: a signal rejected by validation must never reach one.
    worker = await startTestWorker({ activities: {} });
  });
  afterAll(async () => {
    await worker.stop();
    await closeClient();
  });

  const config = () => {
    const c = loadConfig({ env: {} });
    return { ...c, temporal: { ...c.temporal, taskQueue: worker.taskQueue } };
  };

  it('rejects a weak, stale signal with every reason and marks the search attributes', async () => {
    const stale = new Date(Date.now() - 10 * 60_000).toISOString();
    const { handle, workflowId } = await submitSignal(
      client,
      config(),
      baseSignal({ strength: 2, createdAt: stale }),
    );
    expect(workflowId).toMatch(/^pos-val-/);
    const summary = await handle.result();
    expect(summary.outcome).toBe('REJECTED');
    expect(summary.reasons).toEqual([
      expect.stringContaining('strength 2 is below the minimum 5'),
      expect.stringContaining('signal is stale'),
    ]);
    const state = await handle.query(positionStateQuery);
    expect(state.phase).toBe('REJECTED');
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(PhaseKey)).toBe('REJECTED');
    expect(description.typedSearchAttributes.get(OutcomeKey)).toBe('REJECTED');
  });

  it('refuses malformed input before any workflow starts, naming each field', async () => {
    const bad = baseSignal({ strength: 12, direction: 'UP', underlying: 'SENSEX' });
    const error = await submitSignal(client, config(), bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignalValidationError);
    const message = (error as Error).message;
    expect(message).toContain('strength');
    expect(message).toContain('direction');
    expect(message).toContain('underlying');
    await expect(client.workflow.getHandle(`pos-${bad.id}`).describe()).rejects.toThrow(
      /not found/i,
    );
  });

  it('treats the same signal sent twice as one workflow', async () => {
    const signal = baseSignal({ strength: 1 });
    const first = await submitSignal(client, config(), signal);
    await first.handle.result();
    const second = await submitSignal(client, config(), signal);
    expect(second.started).toBe(false);
    expect(second.workflowId).toBe(first.workflowId);
  });
});
