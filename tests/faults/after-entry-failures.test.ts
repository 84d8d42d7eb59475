import type { Faults, RefusedRoute } from '../../src/exchange/faults';
import { submitSignal } from '../../src/client/submit';
import { istDateOf } from '../../src/domain/calendar';
import {
  accountSummaryQuery,
  accountWorkflowId,
  forceExitSignal,
  modifyExitsUpdate,
  positionStateQuery,
  type PositionState,
} from '../../src/workflows/messages';
import { ExitBlockedKey, NeedsAttentionKey } from '../../src/workflows/search-attributes';
import { netAtBroker, sellAtBroker } from '../harness/broker-book';
import { eventually } from '../harness/eventually';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import { newSignal, waitForPhase, waitForState, type PositionHandle } from '../harness/positions';
import { activityRuns } from './helpers/activity-history';
import { expectExchangeTruth, expectFlat } from './helpers/exchange-truth';

const refuse = (route: string, count: number): RefusedRoute => ({
  route,
  count,
  errorType: 'InputException',
  message: `refused by the fault table (${route})`,
});

interface Position {
  handle: PositionHandle;
  state: PositionState;
}

/**
 * One activity the workflow calls once an order may exist at the broker,
 * made to fail for good (a definitive Kite refusal, which no retry policy
 * retries). `arm` sets the fault up and steers the position into calling the
 * activity; `expectWhileFailing` sees it supervised and flagged, not failed.
 */
interface Row {
  activity: string;
  /** Before the signal is sent: the failure must hit the entry's own calls. */
  beforeEntry?: (stack: PaperStack) => Promise<void>;
  /** With the position OPEN and watched. */
  arm?: (stack: PaperStack, p: Position) => Promise<void>;
  /** How the position shows it: needs attention, or (a refused exit order) exit blocked. */
  flag?: 'attention' | 'exitBlocked';
  reason: RegExp;
  /** The exit reason once the fault has cleared; the exchange must then be flat. */
  exitReason: string;
}

const crossStop = async (stack: PaperStack, { state }: Position) =>
  stack.control.pinPrice(state.contract!.token, state.exits!.stopLoss);

const ROWS: Row[] = [
  {
    activity: 'awaitOrder (entry)',
    // Without order updates the wait asks the broker, which refuses.
    beforeEntry: (stack) =>
      stack.control.injectFaults({
        muteOrderUpdates: true,
        refuseRequests: [refuse('GET /orders/', 3)],
      }),
    reason: /settling order .*InputException|settling order .*refused by the fault table/,
    exitReason: 'FORCE_EXIT',
  },
  {
    activity: 'readPositionTruth',
    arm: async (stack, p) => {
      await stack.control.injectFaults({
        refuseRequests: [refuse('GET /portfolio/positions', 3)],
      });
      // A crossing places its exit from the trigger, without this read; a force exit reads first.
      await p.handle.signal(forceExitSignal, 'fault table');
    },
    reason: /exiting: .*refused by the fault table \(GET \/portfolio\/positions\)/,
    exitReason: 'FORCE_EXIT',
  },
  {
    activity: 'externalCloseFills',
    arm: async (stack, p) => {
      await sellAtBroker(stack, p.state.contract!.tradingSymbol, p.state.quantity);
      await stack.control.injectFaults({ refuseRequests: [refuse('GET /trades', 3)] });
      await p.handle.signal(forceExitSignal, 'fault table');
    },
    reason: /exiting: .*refused by the fault table \(GET \/trades\)/,
    exitReason: 'EXTERNAL_CLOSE',
  },
  {
    activity: 'placeOrder (exit)',
    arm: async (stack, p) => {
      await stack.control.injectFaults({ refuseRequests: [refuse('POST /orders/', 2)] });
      await crossStop(stack, p);
    },
    flag: 'exitBlocked',
    reason: /refused by the fault table \(POST \/orders\/\)/,
    exitReason: 'STOP_LOSS',
  },
  {
    activity: 'awaitOrder (exit)',
    arm: async (stack, p) => {
      await stack.control.injectFaults({
        muteOrderUpdates: true,
        refuseRequests: [refuse('GET /orders/', 3)],
      });
      await p.handle.signal(forceExitSignal, 'fault table');
    },
    reason: /settling order .*refused by the fault table/,
    exitReason: 'FORCE_EXIT',
  },
];

/**
 * Invariant 7: once an order may exist at the broker, no failure ends
 * supervision. Each row injects a definitive failure into one activity the
 * workflow calls after entry; the workflow never FAILs, flags the position
 * (query and NeedsAttention), retries with backoff and ends flat once the
 * broker answers again.
 */
describe('a failure of any activity after entry never fails the workflow', () => {
  let stack: PaperStack;
  beforeAll(async () => {
    stack = await startPaperStack();
  });
  afterAll(() => stack.stop());
  afterEach(async () => {
    await stack.control.clearFaults();
    await stack.control.unpinAll();
    await stack.resetAccount();
  });

  it.each(ROWS.map((r) => [r.activity, r] as const))('%s', async (_, row) => {
    await row.beforeEntry?.(stack);
    const { handle } = await submitSignal(stack.client, stack.config, newSignal());
    const flagOf = (s: PositionState) =>
      row.flag === 'exitBlocked' ? s.exitBlocked : s.attention?.reason;
    const flagged = row.beforeEntry
      ? await waitForState(handle, (s) => flagOf(s) !== undefined)
      : undefined;
    const state = await waitForPhase(handle, 'OPEN');
    const position = { handle, state };
    await eventually(
      async () => stack.worker!.hub.subscribedTokens,
      (tokens) => tokens.includes(state.contract!.token),
    );
    await row.arm?.(stack, position);
    const seen = flagged ?? (await waitForState(handle, (s) => flagOf(s) !== undefined));
    expect(flagOf(seen)).toMatch(row.reason);
    const described = await handle.describe();
    expect(described.status.name).toBe('RUNNING');
    if (!row.beforeEntry) {
      const key = row.flag === 'exitBlocked' ? ExitBlockedKey : NeedsAttentionKey;
      expect(described.typedSearchAttributes.get(key)).toBe(true);
    }

    if (row.exitReason === 'FORCE_EXIT') await handle.signal(forceExitSignal, 'fault table');
    const summary = await handle.result();
    expect(summary.exitReason).toBe(row.exitReason);
    const closed = await handle.query(positionStateQuery);
    expect(closed.attention).toBeUndefined();
    const after = (await handle.describe()).typedSearchAttributes;
    expect(after.get(NeedsAttentionKey) ?? false).toBe(false);
    expect(after.get(ExitBlockedKey) ?? false).toBe(false);
    if (row.exitReason === 'EXTERNAL_CLOSE') await expectFlat(stack);
    else await expectExchangeTruth(stack, handle);
    const failed = (await activityRuns(handle)).filter((r) => r.failure);
    expect(failed.length).toBeGreaterThan(0);
  });

  it('a modification whose fresh quote is refused fails the update, not the position', async () => {
    const { handle } = await submitSignal(stack.client, stack.config, newSignal());
    const state = await waitForPhase(handle, 'OPEN');
    await stack.control.injectFaults({ refuseRequests: [refuse('GET /quote', 1)] });
    const stop = Math.round((state.entryPrice! - 2) * 20) / 20;
    await expect(
      handle.executeUpdate(modifyExitsUpdate, { args: [{ stopLoss: stop }] }),
    ).rejects.toThrow();
    expect((await waitForPhase(handle, 'OPEN')).exits!.stopLoss).toBe(state.exits!.stopLoss);
    const plan = await handle.executeUpdate(modifyExitsUpdate, { args: [{ stopLoss: stop }] });
    expect(plan.stopLoss).toBe(stop);
    await handle.signal(forceExitSignal, 'done');
    await expectExchangeTruth(stack, handle);
  });

  it('a tag conflict on the exit moves to the next tag instead of failing', async () => {
    const { handle } = await submitSignal(stack.client, stack.config, newSignal());
    const state = await waitForPhase(handle, 'OPEN');
    const { tagsOf } = await import('../harness/tags');
    const exitTag = tagsOf(handle.workflowId, state.tagScheme!).tag('EXIT', 0);
    // Somebody else's order already carries the tag the first exit round will use.
    await stack.kite.placeOrder('regular', {
      exchange: 'NFO',
      tradingsymbol: state.contract!.tradingSymbol,
      transaction_type: 'BUY',
      quantity: state.quantity * 2,
      product: 'MIS',
      order_type: 'MARKET',
      validity: 'DAY',
      tag: exitTag,
      market_protection: -1,
    } as unknown as Parameters<typeof stack.kite.placeOrder>[1]);
    await handle.signal(forceExitSignal, 'fault table');
    const summary = await handle.result();
    const closed = await waitForPhase(handle, 'CLOSED');
    expect(summary.exitReason).toBe('FORCE_EXIT');
    expect(closed.exitAttempts).toBe(2);
    expect(closed.exitFills.map((f) => f.tag)).toEqual([
      tagsOf(handle.workflowId, state.tagScheme!).tag('EXIT', 1),
    ]);
    // The stranger's units are left alone: the exit sold exactly the position.
    expect(await netAtBroker(stack, state.contract!.tradingSymbol)).toBe(state.quantity * 2);
    await sellAtBroker(stack, state.contract!.tradingSymbol, state.quantity * 2);
  });
});

describe('a failure before any order ends the entry and frees the slot', () => {
  it.each<[string, Faults | undefined, number]>([
    ['the option chain is refused', { refuseRequests: [refuse('GET /quote', 10)] }, 20],
    ['strikesAroundSpot over the activity limit', undefined, 150],
  ])('%s', async (_, faults, strikesAroundSpot) => {
    const stack = await startPaperStack({
      overrides: (c) => ({ ...c, exchange: { ...c.exchange, strikesAroundSpot } }),
    });
    try {
      if (faults) await stack.control.injectFaults(faults);
      const { handle } = await submitSignal(stack.client, stack.config, newSignal());
      const summary = await handle.result();
      expect(summary.outcome).toBe('ENTRY_FAILED');
      expect(summary.reasons).toEqual([expect.stringMatching(/^option chain: /)]);
      const book = await stack.client.workflow
        .getHandle(accountWorkflowId(istDateOf(Date.now())))
        .query(accountSummaryQuery);
      expect(book.openPositions).toEqual([]);
      await expectFlat(stack);
    } finally {
      await stack.stop();
    }
  });
});
