import type { Faults } from '../../src/exchange/control-client';
import { positionStateQuery } from '../../src/workflows/messages';
import { ExitBlockedKey, PhaseKey } from '../../src/workflows/search-attributes';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import { openPosition, waitForState, type PositionHandle } from '../harness/positions';
import { expectExchangeTruth } from './helpers/exchange-truth';

const REFUSAL = 'RMS: exits blocked by test';

/** Visibility is what the Web UI and `npx trade positions` filter on. */
async function listedAsBlocked(stack: PaperStack, handle: PositionHandle): Promise<boolean> {
  const query = `WorkflowId = "${handle.workflowId}" AND ExitBlocked = true AND Phase = "EXITING"`;
  for await (const _ of stack.client.workflow.list({ query })) return true;
  return false;
}

/** Exit rounds after the first, plus Temporal's retries of the placement in flight: tried again either way. */
/**
 * Retries of the exit so far: further exit rounds, retries of the placement
 * in flight, or (when the broker cannot even be read) the workflow's own
 * retries of the round, which it counts on the position.
 */
async function exitRetries(handle: PositionHandle): Promise<number> {
  const [state, { raw }] = await Promise.all([handle.query(positionStateQuery), handle.describe()]);
  const placing = raw.pendingActivities?.find((a) => a.activityType?.name === 'placeOrder');
  const rounds = Math.max(0, state.exitAttempts - 1) + Math.max(0, (placing?.attempt ?? 1) - 1);
  return Math.max(rounds, (state.attention?.failures ?? 0) - 1);
}

async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const CASES: Array<{ name: string; faults: Faults }> = [
  {
    name: 'refuses every exit order',
    faults: { rejectOrders: { count: 1_000, reason: REFUSAL } },
  },
  {
    name: 'answers every request with HTTP 500',
    faults: { failRequests: { count: 1_000, status: 500 } },
  },
];

describe('an exit that cannot be placed is retried and flagged, never abandoned', () => {
  let stack: PaperStack;
  beforeAll(async () => {
    stack = await startPaperStack();
  });
  afterAll(() => stack.stop());
  afterEach(async () => {
    await stack.control.clearFaults();
    await stack.resetAccount();
  });

  it.each(CASES.map((c) => [c.name, c.faults] as const))(
    'while the exchange %s, then flat once it recovers',
    async (_, faults) => {
      const { handle, state } = await openPosition(stack);
      const { token } = state.contract!;
      await eventually('the stop is watched', async () =>
        stack.worker!.hub.subscribedTokens.includes(token),
      );
      await stack.control.injectFaults(faults);
      await stack.control.pinPrice(token, state.exits!.stopLoss);

      const blocked = await waitForState(handle, (s) => s.exitBlocked !== undefined);
      expect(blocked).toMatchObject({ phase: 'EXITING', exitReason: 'STOP_LOSS', exitFills: [] });
      await eventually('visibility lists it as blocked', () => listedAsBlocked(stack, handle));
      await eventually('the exit is retried', async () => (await exitRetries(handle)) >= 1);
      const described = await handle.describe();
      expect(described.typedSearchAttributes.get(ExitBlockedKey)).toBe(true);
      expect(described.typedSearchAttributes.get(PhaseKey)).toBe('EXITING');

      await stack.control.clearFaults();
      const truth = await expectExchangeTruth(stack, handle);
      // Each refused round was one order under its own tag; none was placed twice.
      const refused = truth.orders.filter((o) => o.status === 'REJECTED');
      expect(refused).toHaveLength(truth.state.exitAttempts - 1);
      for (const order of refused) expect(order.status_message).toBe(REFUSAL);
      const closed = await handle.describe();
      expect(closed.typedSearchAttributes.get(ExitBlockedKey)).toBe(false);
      expect(closed.typedSearchAttributes.get(PhaseKey)).toBe('CLOSED');
    },
  );
});
