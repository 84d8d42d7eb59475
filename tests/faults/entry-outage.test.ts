import { submitSignal } from '../../src/client/submit';
import { schemeFor, tagsOf } from '../harness/tags';
import { forceExitSignal } from '../../src/workflows/messages';
import { eventually } from '../harness/eventually';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import { newSignal, waitForPhase } from '../harness/positions';
import { activityRuns } from './helpers/activity-history';
import { expectExchangeTruth, type ExchangeOrder } from './helpers/exchange-truth';

/** Longer than the Kite client's 7 s timeout: the order is booked, its answer never arrives. */
const HELD_ANSWER_MS = 9_000;

describe('an entry whose placement gives up during a broker outage', () => {
  let stack: PaperStack;
  beforeAll(async () => {
    stack = await startPaperStack();
  });
  afterAll(() => stack.stop());

  it('is looked up by tag once the outage ends, adopted and supervised, not abandoned', async () => {
    await stack.control.injectFaults({ orderAckDelayMs: HELD_ANSWER_MS });
    const { handle } = await submitSignal(stack.client, stack.config, newSignal());
    const entryTag = tagsOf(handle.workflowId, schemeFor(stack.config)).tag('ENTRY', 0);
    const booked = await eventually(
      async () => (await stack.kite.getOrders()) as unknown as ExchangeOrder[],
      (orders) => orders.some((o) => o.tag === entryTag),
      30_000,
    );
    expect(booked.filter((o) => o.tag === entryTag)).toHaveLength(1);
    // The outage begins while the answer is held: every retry's look-up fails too.
    await stack.control.injectFaults({ failRequests: { count: 100_000, status: 500 } });

    const gaveUp = await eventually(
      () => activityRuns(handle),
      (runs) => runs.some((r) => r.type === 'findOrderByTag'),
      120_000,
    );
    const placement = gaveUp.find((r) => r.type === 'placeOrder');
    expect(placement?.attempts).toBe(5);
    expect(placement?.result).toBeUndefined();
    expect((await handle.describe()).status.name).toBe('RUNNING');

    await stack.control.clearFaults();
    const open = await waitForPhase(handle, 'OPEN');
    expect(open.entryFills.map((f) => f.tag)).toEqual([entryTag]);
    await handle.signal(forceExitSignal, 'test done');
    const truth = await expectExchangeTruth(stack, handle);
    expect(truth.orders.filter((o) => o.tag === entryTag)).toHaveLength(1);
  }, 180_000);
});
