import { submitSignal } from '../../src/client/submit';
import { istDateOf } from '../../src/domain/calendar';
import {
  accountSummaryQuery,
  accountTaskQueue,
  accountWorkflowId,
  forceExitSignal,
  killSwitchSignal,
} from '../../src/workflows/messages';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import { eventually } from '../harness/eventually';
import { expectMatchesExchange, newSignal, openPosition, waitForPhase } from '../harness/positions';

const accountOf = (stack: PaperStack) =>
  stack.client.workflow.getHandle(accountWorkflowId(istDateOf(Date.now())));
const ordersTagged = async (stack: PaperStack, tag: string) =>
  ((await stack.kite.getOrders()) as unknown as Array<{ tag: string }>).filter(
    (o) => o.tag === tag,
  );

describe('entry faults, idempotency and the account risk book', () => {
  let stack: PaperStack;
  beforeAll(async () => {
    stack = await startPaperStack({
      overrides: (c) => ({ ...c, risk: { ...c.risk, maxOpenPositions: 2 } }),
    });
  });
  afterAll(() => stack.stop());
  afterEach(async () => {
    await stack.control.clearFaults();
    await stack.resetAccount();
  });

  it('ends ENTRY_FAILED when the exchange rejects the entry, and frees the slot', async () => {
    await stack.control.injectFaults({
      rejectOrders: { count: 1, reason: 'RMS: blocked by test' },
    });
    const { handle } = await submitSignal(stack.client, stack.config, newSignal());
    const summary = await handle.result();
    expect(summary.outcome).toBe('ENTRY_FAILED');
    expect(summary.reasons?.join(' ')).toContain('RMS: blocked by test');
    const book = await accountOf(stack).query(accountSummaryQuery);
    expect(book.openPositions).toEqual([]);
    expect(book.tradesToday).toBe(1);
  });

  it('places exactly one entry order when the response to an accepted order is lost', async () => {
    await stack.control.injectFaults({ dropOrderResponses: 1 });
    const { handle, state } = await openPosition(stack);
    expect(await ordersTagged(stack, state.entryFills[0].tag)).toHaveLength(1);
    await handle.signal(forceExitSignal, 'done');
    const summary = await handle.result();
    await expectMatchesExchange(stack, await waitForPhase(handle, 'CLOSED'), summary);
  });

  it('runs the same signal once however often it is sent', async () => {
    const signal = newSignal();
    const first = await submitSignal(stack.client, stack.config, signal);
    const state = await waitForPhase(first.handle, 'OPEN');
    const again = await submitSignal(stack.client, stack.config, signal);
    expect(again).toMatchObject({ started: false, workflowId: first.workflowId });
    expect(await ordersTagged(stack, state.entryFills[0].tag)).toHaveLength(1);
    await first.handle.signal(forceExitSignal, 'done');
    await first.handle.result();
  });

  it('refuses entry beyond max open positions, with the reason', async () => {
    const open = await Promise.all([openPosition(stack), openPosition(stack)]);
    const { handle } = await submitSignal(stack.client, stack.config, newSignal());
    const refused = await handle.result();
    expect(refused.outcome).toBe('REJECTED');
    expect(refused.reasons).toEqual([expect.stringContaining('2 positions open, the limit is 2')]);
    // The book that refused runs on its own queue, where the positions' tasks cannot crowd it.
    expect((await accountOf(stack).describe()).taskQueue).toBe(
      accountTaskQueue(stack.config.temporal.taskQueue),
    );
    await Promise.all(open.map((p) => p.handle.signal(forceExitSignal, 'done')));
    await Promise.all(open.map((p) => p.handle.result()));
  });

  it('kill switch flattens every open position and latches for the day', async () => {
    const open = await Promise.all([openPosition(stack), openPosition(stack)]);
    await accountOf(stack).signal(killSwitchSignal, 'test panic');
    for (const { handle } of open) {
      const summary = await handle.result();
      expect(summary.exitReason).toBe('FORCE_EXIT');
      await expectMatchesExchange(stack, await waitForPhase(handle, 'CLOSED'), summary);
    }
    const { handle } = await submitSignal(stack.client, stack.config, newSignal());
    expect((await handle.result()).reasons).toEqual([expect.stringContaining('kill switch is on')]);
  });
});

/** A premium `rupees` under the entry, on the tick, but above the stop. */
const below = (entry: number, rupees: number) => Math.round((entry - rupees) * 20) / 20;

describe('daily-loss breaker', () => {
  const withBreaker = (maxDailyLoss: number, flattenOnDailyLoss: boolean) =>
    startPaperStack({
      overrides: (c) => ({ ...c, risk: { ...c.risk, maxDailyLoss, flattenOnDailyLoss } }),
    });

  it('trips the daily-loss breaker after a realised loss and blocks new entries', async () => {
    const stack = await withBreaker(1, false);
    try {
      const { handle, state } = await openPosition(stack);
      await stack.control.pinPrice(state.contract!.token, state.exits!.stopLoss);
      expect((await handle.result()).outcome).toBe('LOSS');
      await stack.control.unpin(state.contract!.token);
      const book = await accountOf(stack).query(accountSummaryQuery);
      expect(book.breakerTripped).toBe(true);
      const next = await submitSignal(stack.client, stack.config, newSignal());
      const refused = await next.handle.result();
      expect(refused.reasons).toEqual([
        expect.stringMatching(/daily loss .* has reached the limit 1/),
      ]);
    } finally {
      await stack.stop();
    }
  });

  it("sees an open loss from the worker's marks with no trigger firing, and latches", async () => {
    const stack = await withBreaker(100, false);
    try {
      const { handle, state } = await openPosition(stack);
      // 65 units 3 rupees under the entry: an open loss of 195, over the limit, far above the stop.
      await stack.control.pinPrice(state.contract!.token, below(state.entryPrice!, 3));
      const tripped = await eventually(
        () => accountOf(stack).query(accountSummaryQuery),
        (b) => b.breaker !== undefined,
        15_000,
      );
      expect(tripped.breaker!.lossPnl).toBeLessThanOrEqual(-100);
      expect((await waitForPhase(handle, 'OPEN')).stopHistory).toHaveLength(1);
      // Latched: recovering the open loss does not reopen entries.
      await stack.control.pinPrice(state.contract!.token, state.entryPrice! + 1);
      const next = await submitSignal(stack.client, stack.config, newSignal());
      expect((await next.handle.result()).reasons).toEqual([
        expect.stringMatching(/daily loss .* has reached the limit 100/),
      ]);
      await handle.signal(forceExitSignal, 'done');
      await expectMatchesExchange(
        stack,
        await waitForPhase(handle, 'CLOSED'),
        await handle.result(),
      );
    } finally {
      await stack.stop();
    }
  });

  it('flattens every open position on the breach when risk.flattenOnDailyLoss is set', async () => {
    const stack = await withBreaker(100, true);
    try {
      const open = await Promise.all([openPosition(stack), openPosition(stack)]);
      const loser = open[0].state;
      await stack.control.pinPrice(loser.contract!.token, below(loser.entryPrice!, 3));
      for (const { handle } of open) {
        const summary = await handle.result();
        expect(summary.exitReason).toBe('FORCE_EXIT');
        await expectMatchesExchange(stack, await waitForPhase(handle, 'CLOSED'), summary);
      }
      expect((await accountOf(stack).query(accountSummaryQuery)).breakerTripped).toBe(true);
    } finally {
      await stack.stop();
    }
  });
});

describe('order slicing and partial fills', () => {
  it('slices an order above the freeze limit and exits every slice', async () => {
    const stack = await startPaperStack({
      overrides: (c) => ({
        ...c,
        risk: { ...c.risk, capital: 10_000_000, maxOpenPositions: 1, maxCapitalInUsePct: 90 },
        entry: { ...c.entry, sizing: { mode: 'FIXED_LOTS', lots: 30 } },
      }),
    });
    try {
      const { handle, state } = await openPosition(stack);
      // NIFTY: 30 lots of 65 = 1950 units; the freeze limit is 1800, so 27 lots then 3.
      expect(state.entryFills.map((f) => f.quantity)).toEqual([1755, 195]);
      await handle.signal(forceExitSignal, 'done');
      const summary = await handle.result();
      const closed = await waitForPhase(handle, 'CLOSED');
      expect(closed.exitFills.map((f) => f.quantity).sort((a, b) => b - a)).toEqual([1755, 195]);
      await expectMatchesExchange(stack, closed, summary);
    } finally {
      await stack.stop();
    }
  });

  it('slices smaller when the exchange refuses a slice over a freeze limit the table does not know', async () => {
    const stack = await startPaperStack({
      overrides: (c) => ({
        ...c,
        risk: { ...c.risk, capital: 10_000_000, maxOpenPositions: 1, maxCapitalInUsePct: 90 },
        entry: { ...c.entry, sizing: { mode: 'FIXED_LOTS', lots: 20 } },
      }),
    });
    try {
      // The table says BANKNIFTY may carry 600 (20 lots of 30) in one order; NSE lowered it to 300.
      await stack.control.injectFaults({ freezeLimits: { BANKNIFTY: 300 } });
      const { handle, state } = await openPosition(stack, { underlying: 'BANKNIFTY' });
      expect(state.contract!.freezeQty).toBe(300);
      expect(state.entryAttempts).toBe(1);
      expect(state.entryFills.map((f) => f.quantity)).toEqual([300, 300]);
      const refused = await stack.kite.getOrders();
      // Kite refuses an order over the freeze limit before the book: nothing of the first try is in it.
      expect(refused.filter((o) => o.transaction_type === 'BUY')).toHaveLength(2);
      await handle.signal(forceExitSignal, 'done');
      const summary = await handle.result();
      const closed = await waitForPhase(handle, 'CLOSED');
      expect(closed.exitFills.map((f) => f.quantity)).toEqual([300, 300]);
      await expectMatchesExchange(stack, closed, summary);
    } finally {
      await stack.stop();
    }
  });

  it('supervises a partial entry fill and cancels the rest', async () => {
    const stack = await startPaperStack({
      partialFillRatio: 0.5,
      tickIntervalMs: 60_000,
      overrides: (c) => ({
        ...c,
        entry: { ...c.entry, fillTimeoutSeconds: 2, sizing: { mode: 'FIXED_LOTS', lots: 4 } },
      }),
    });
    try {
      const { handle, state } = await openPosition(stack);
      expect(state.quantity).toBe(130);
      const orders = (await stack.kite.getOrders()) as unknown as Array<Record<string, unknown>>;
      expect(orders.find((o) => o.tag === state.entryFills[0].tag)).toMatchObject({
        status: 'CANCELLED',
        filled_quantity: 130,
      });
      await handle.signal(forceExitSignal, 'done');
      const summary = await handle.result();
      expect(summary.quantity).toBe(130);
      // The exit partly fills too; its remainder goes out again under a new tag until flat.
      expect(
        (await waitForPhase(handle, 'CLOSED')).exitFills.reduce((s, f) => s + f.quantity, 0),
      ).toBe(130);
      await expectMatchesExchange(stack, await waitForPhase(handle, 'CLOSED'), summary);
    } finally {
      await stack.stop();
    }
  });
});
