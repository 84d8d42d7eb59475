import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import { openPosition, waitForPhase, type PositionHandle } from '../harness/positions';
import { positionStateQuery, type PositionState } from '../../src/workflows/messages';
import type { PriceTriggerResult } from '../../src/activities/market';
import { activityRuns, type ActivityRun } from './helpers/activity-history';
import { expectExchangeTruth, heldAtExchange, type ExchangeTruth } from './helpers/exchange-truth';

const LATENCY_MS = 400;
const REJECTION = 'RMS: blocked by fault test';

interface Position {
  handle: PositionHandle;
  state: PositionState;
}

/**
 * One kind of exchange trouble. The entry goes through whatever `beforeEntry`
 * sets up, the exit through what `beforeExit` sets up just before the stop
 * is crossed; `afterCross` may hold things back before the exit can happen.
 * `evidence` proves the fault really fired, so a fault that silently never
 * reached the system cannot pass for one the system survived.
 */
interface FaultKind {
  name: string;
  beforeEntry?(stack: PaperStack): Promise<void>;
  beforeExit?(stack: PaperStack, position: Position): Promise<void>;
  afterCross?(stack: PaperStack, position: Position): Promise<void>;
  evidence(truth: ExchangeTruth, runs: ActivityRun[]): void;
}

const placements = (runs: ActivityRun[]) => runs.filter((r) => r.type === 'placeOrder');
/** The exit orders price triggers placed (or found booked under their tags). */
const triggerExits = (runs: ActivityRun[]) =>
  runs.flatMap((r) =>
    r.type === 'awaitPriceTrigger'
      ? ((r.result as PriceTriggerResult | undefined)?.exitOrders ?? [])
      : [],
  );
/**
 * The runs that met the failure and got past it: retried as an activity, or
 * a trigger that could not sell and handed its exit back to the workflow.
 */
const retriedAfter = (runs: ActivityRun[], failure: RegExp) =>
  runs.filter(
    (r) =>
      (r.attempts > 1 && failure.test(r.lastFailure ?? '')) ||
      failure.test((r.result as { exitNotPlaced?: string } | undefined)?.exitNotPlaced ?? ''),
  );

const waitUntil = async (what: string, predicate: () => boolean | Promise<boolean>) => {
  const deadline = Date.now() + 15_000;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** The entry's first request is its option-chain read, a local activity retried inside the worker. */
const injectedFailure = (status: 500 | 429) => async (stack: PaperStack) =>
  stack.control.injectFaults({ failRequests: { count: 1, status } });
const retriedLocally = (runs: ActivityRun[]) =>
  runs.filter((r) => r.local && r.type === 'getOptionChain' && r.attempts > 1);
/**
 * On the order route only: the trigger's broker check reads memory, so an
 * unscoped failure may land on a background read (the mirror's positions
 * check) instead of the exit.
 */
const failedExitOrder = (status: 500 | 429) => async (stack: PaperStack) =>
  stack.control.injectFaults({ failRequests: { count: 1, status, route: 'POST /orders' } });

const KINDS: FaultKind[] = [
  {
    name: 'rejected exit order',
    beforeExit: (stack) =>
      stack.control.injectFaults({ rejectOrders: { count: 1, reason: REJECTION } }),
    evidence: ({ orders, state }) => {
      const rejected = orders.filter((o) => o.status === 'REJECTED');
      expect(rejected).toEqual([
        expect.objectContaining({ transaction_type: 'SELL', status_message: REJECTION }),
      ]);
      expect(state.exitAttempts).toBe(2);
    },
  },
  {
    name: 'HTTP 500 on entry and on exit',
    beforeEntry: injectedFailure(500),
    beforeExit: failedExitOrder(500),
    evidence: (_, runs) => {
      expect(retriedLocally(runs)).toHaveLength(1);
      expect(retriedAfter(runs, /Internal server error \(injected\)/)).toHaveLength(1);
    },
  },
  {
    name: 'HTTP 429 on entry and on exit',
    beforeEntry: injectedFailure(429),
    beforeExit: failedExitOrder(429),
    evidence: (_, runs) => {
      expect(retriedLocally(runs)).toHaveLength(1);
      expect(retriedAfter(runs, /Too many requests/)).toHaveLength(1);
    },
  },
  {
    name: 'response dropped after the exchange accepted the order',
    beforeEntry: (stack) => stack.control.injectFaults({ dropOrderResponses: 1 }),
    beforeExit: (stack) => stack.control.injectFaults({ dropOrderResponses: 1 }),
    evidence: (_, runs) => {
      // Both orders were found by their tag, not placed a second time: the entry by the
      // workflow's placement, the exit by the trigger that placed it.
      expect(placements(runs).map((r) => r.result)).toEqual([
        expect.objectContaining({ adopted: true }),
      ]);
      expect(triggerExits(runs)).toEqual([expect.objectContaining({ adopted: true })]);
    },
  },
  {
    name: 'latency spike on every request',
    beforeEntry: (stack) => stack.control.injectFaults({ latencyMs: LATENCY_MS }),
    evidence: (_, runs) => {
      // The tag look-up reads the worker's order book, so a placement is the one slow place call.
      for (const run of placements(runs))
        expect(run.closedAt! - run.startedAt!).toBeGreaterThanOrEqual(LATENCY_MS);
    },
  },
  {
    name: 'paused ticks',
    // The ticker stays connected but silent: the stop is seen over REST once the token is stale.
    beforeEntry: (stack) => stack.control.pauseTicks(true),
    evidence: ({ summary }, runs) => {
      expect(summary.exitReason).toBe('STOP_LOSS');
      const fired = runs.filter((r) => r.type === 'awaitPriceTrigger' && r.result).at(-1);
      expect(fired?.result).toMatchObject({ source: 'rest' });
    },
  },
  {
    name: 'ticker connections dropped',
    beforeEntry: (stack) => stack.control.dropTickerConnections(),
    beforeExit: async (stack) => {
      await stack.control.dropTickerConnections();
      // The stop is crossed while the worker is offline: only the resubscribe snapshot can show it.
      await waitUntil('the worker sees the drop', () => !stack.worker!.hub.isConnected);
    },
    evidence: ({ summary }) => expect(summary.exitReason).toBe('STOP_LOSS'),
  },
  {
    name: 'exchange restart while the position is open',
    beforeExit: async (stack, { handle, state }) => {
      const { token, tradingSymbol } = state.contract!;
      await stack.restartExchange(500);
      expect(await heldAtExchange(stack, tradingSymbol)).toBe(state.quantity);
      // The restarted exchange quotes its own price, and that alone must exit nothing: a price
      // the armed trigger holds is one it checked and found inside the exits.
      await waitUntil(
        'the worker checks a price from the restarted exchange',
        async () =>
          stack.worker!.hub.lastPrice(token) !== undefined ||
          (await handle.query(positionStateQuery)).phase !== 'OPEN',
      );
      expect(await waitForPhase(handle, 'OPEN')).toMatchObject({ exits: state.exits });
    },
    evidence: ({ summary, state }) => {
      expect(summary.exitReason).toBe('STOP_LOSS');
      expect(state.exitAttempts).toBe(1);
    },
  },
];

describe('exchange faults: every position enters and exits through them and agrees with the exchange', () => {
  let stack: PaperStack;
  beforeAll(async () => {
    stack = await startPaperStack();
  });
  afterAll(() => stack.stop());
  afterEach(async () => {
    // A pin outlives its test: the next entry would buy at this test's stop, and an exchange
    // restart, which forgets pins, would put the market far above that entry's target.
    await stack.control.unpinAll();
    await stack.control.clearFaults();
    await stack.control.pauseTicks(false);
    await stack.resetAccount();
  });

  it.each(KINDS.map((k) => [k.name, k] as const))('%s', async (_, kind) => {
    await kind.beforeEntry?.(stack);
    const position = await openPosition(stack);
    const { token } = position.state.contract!;
    // OPEN shows before the price trigger is armed; the exit faults are meant for a watched position.
    await waitUntil('the stop is watched', () =>
      stack.worker!.hub.subscribedTokens.includes(token),
    );
    await kind.beforeExit?.(stack, position);
    await stack.control.pinPrice(token, position.state.exits!.stopLoss);
    await kind.afterCross?.(stack, position);
    const truth = await expectExchangeTruth(stack, position.handle);
    kind.evidence(truth, await activityRuns(position.handle));
  });
});
