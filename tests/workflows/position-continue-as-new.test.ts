import type { Client } from '@temporalio/client';
import { eventually } from '../harness/eventually';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import {
  expectMatchesExchange,
  openPosition,
  waitForPhase,
  waitForState,
} from '../harness/positions';

// Small enough that every run of the position rolls over after one or two
// wake-ups, large enough that a fresh run can arm its trigger before it must go.
const HISTORY_LIMIT = 20;

/** Levels are whole paise; a sum of two of them in binary floating point is not. */
const inPaise = (price: number) => Math.round(price * 100) / 100;

async function runsOf(client: Client, workflowId: string) {
  const runs = [];
  for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
    runs.push(run);
  return runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
}

describe('a position that outlives its history limit', () => {
  let stack: PaperStack;
  beforeAll(async () => {
    stack = await startPaperStack({
      overrides: (config) => ({
        ...config,
        temporal: { ...config.temporal, positionHistoryLimit: HISTORY_LIMIT },
      }),
    });
  });
  afterAll(() => stack.stop());
  afterEach(async () => {
    await stack.control.clearFaults();
    await stack.control.unpinAll();
  });

  it('continues as new with its stops carried over and no gap in supervision', async () => {
    const { handle, state } = await openPosition(stack);
    const token = state.contract!.token;
    const trailing = state.exits!.trailing!;

    await stack.control.pinPrice(token, trailing.activationPrice);
    const activated = await waitForState(handle, (s) => s.stopHistory.length >= 2);
    await stack.control.pinPrice(token, trailing.activationPrice + 1.5 * trailing.step);
    const ratcheted = await waitForState(handle, (s) => s.stopHistory.length >= 3);
    expect(ratcheted.stopHistory).toEqual(
      [
        state.exits!.stopLoss,
        activated.exits!.stopLoss,
        activated.exits!.stopLoss + trailing.step,
      ].map(inPaise),
    );
    // The ratchet's wake-up filled this run, so the crossing lands while it rolls over.
    await stack.control.pinPrice(token, ratcheted.exits!.stopLoss);
    const summary = await handle.result();

    expect(summary.exitReason).toBe('TRAILING_STOP');
    expect(summary.quantity).toBe(state.quantity);
    expect(summary.entryPrice).toBe(state.entryPrice);
    const [first, ...later] = await runsOf(stack.client, handle.workflowId);
    expect(later.length).toBeGreaterThanOrEqual(2);
    expect([first, ...later].map((r) => r.status.name)).toEqual([
      ...Array<string>(later.length).fill('CONTINUED_AS_NEW'),
      'COMPLETED',
    ]);
    // Between the entry run and the exit run, each run holds a wake-up or two: history stays bounded.
    for (const run of later.slice(0, -1)) expect(run.historyLength).toBeLessThan(2 * HISTORY_LIMIT);
    await expectMatchesExchange(stack, await waitForPhase(handle, 'CLOSED'), summary);
  }, 90_000);

  it('continues as new while an exit is refused, then sells once under fresh tags', async () => {
    const { handle, state } = await openPosition(stack);
    await stack.control.injectFaults({
      rejectOrders: { count: 1_000, reason: 'RMS: held by test' },
    });
    await stack.control.pinPrice(state.contract!.token, state.exits!.stopLoss);
    // Rounds of refused exits, each a placement and a backoff, outgrow the limit: the run rolls over.
    await eventually(
      () => runsOf(stack.client, handle.workflowId),
      (runs) => runs.length >= 3,
      60_000,
    );
    const blocked = await waitForState(handle, (s) => s.phase === 'EXITING');
    expect(blocked.exitBlocked).toContain('RMS: held by test');
    await stack.control.clearFaults();
    const summary = await handle.result();
    expect(summary.exitReason).toBe('STOP_LOSS');
    const closed = await waitForPhase(handle, 'CLOSED');
    // Every round's tag was new across the runs: the exchange saw each refused round once.
    const orders = (await stack.kite.getOrders()) as unknown as Array<{
      tag: string;
      status: string;
    }>;
    const prefix = closed.entryFills[0].tag.slice(0, 13);
    const ours = orders.filter((o) => o.tag?.startsWith(prefix));
    expect(new Set(ours.map((o) => o.tag)).size).toBe(ours.length);
    expect(ours.filter((o) => o.status === 'REJECTED')).toHaveLength(closed.exitAttempts - 1);
    await expectMatchesExchange(stack, closed, summary);
  }, 120_000);
});
