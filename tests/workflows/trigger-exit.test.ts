import {
  forceExitSignal,
  modifyExitsUpdate,
  type PositionState,
} from '../../src/workflows/messages';
import { ordersAtBroker } from '../harness/broker-book';
import { eventually } from '../harness/eventually';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import {
  expectMatchesExchange,
  openPosition,
  waitForPhase,
  waitForState,
  type PositionHandle,
} from '../harness/positions';
import { tagsOf } from '../harness/tags';
import { activityRuns } from '../faults/helpers/activity-history';

/** Every order the exchange holds under one position's tags. */
const ordersOf = async (stack: PaperStack, handle: PositionHandle, state: PositionState) => {
  const { prefix } = tagsOf(handle.workflowId, state.tagScheme!);
  return (await ordersAtBroker(stack)).filter((o) => o.tag?.startsWith(prefix));
};

const watched = (stack: PaperStack, token: number) =>
  eventually(
    async () => stack.worker!.hub.subscribedTokens,
    (tokens) => tokens.includes(token),
  );

/**
 * The trigger fires the exit: armed with the next exit round, a stop or
 * target crossing places the sell from the tick's own process, and the
 * workflow adopts the order by its tag. Whoever places a round, its tags are
 * the same, so a force exit racing the trigger is one order.
 */
describe('the price trigger places the exit itself', () => {
  let stack: PaperStack;
  beforeAll(async () => {
    stack = await startPaperStack();
  });
  afterAll(() => stack.stop());
  afterEach(async () => {
    await stack.control.unpinAll();
    await stack.resetAccount();
  });

  it('a stop crossing: the trigger sells, the workflow adopts the order, one order per tag', async () => {
    const { handle, state } = await openPosition(stack);
    await watched(stack, state.contract!.token);
    await stack.control.pinPrice(state.contract!.token, state.exits!.stopLoss);
    const summary = await handle.result();
    expect(summary.exitReason).toBe('STOP_LOSS');
    const runs = await activityRuns(handle);
    const fired = runs.filter((r) => r.type === 'awaitPriceTrigger' && r.result).at(-1)!;
    const exitTag = tagsOf(handle.workflowId, state.tagScheme!).tag('EXIT', 0);
    expect(fired.result).toMatchObject({ exitOrders: [expect.objectContaining({ tag: exitTag })] });
    // The workflow awaited the trigger's order by its id: no placement of its own, no look-up.
    expect(runs.filter((r) => r.type === 'placeOrder')).toHaveLength(1);
    const closed = await waitForPhase(handle, 'CLOSED');
    const [{ orderId }] = (fired.result as { exitOrders: { orderId: string }[] }).exitOrders;
    expect(closed.exitFills.map((f) => f.orderId)).toEqual([orderId]);
    await expectMatchesExchange(stack, closed, summary);
  });

  it('a trailing step only ratchets: no order until the raised stop is crossed', async () => {
    const { handle, state } = await openPosition(stack);
    const token = state.contract!.token;
    await watched(stack, token);
    const trailing = state.exits!.trailing!;
    await stack.control.pinPrice(token, trailing.activationPrice);
    const raised = await waitForState(handle, (s) => s.stopHistory.length >= 2);
    expect(
      (await ordersOf(stack, handle, state)).filter((o) => o.transaction_type === 'SELL'),
    ).toEqual([]);
    await stack.control.pinPrice(token, raised.exits!.stopLoss);
    expect((await handle.result()).exitReason).toBe('TRAILING_STOP');
  });

  it('a modification re-arms: the old stop no longer sells, the new one does', async () => {
    const { handle, state } = await openPosition(stack);
    const token = state.contract!.token;
    await watched(stack, token);
    const oldStop = state.exits!.stopLoss;
    const newStop = Math.round((oldStop - 5) * 20) / 20;
    await handle.executeUpdate(modifyExitsUpdate, { args: [{ stopLoss: newStop }] });
    await stack.control.pinPrice(token, Math.round((oldStop - 1) * 20) / 20);
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await waitForPhase(handle, 'OPEN')).exits!.stopLoss).toBe(newStop);
    expect(
      (await ordersOf(stack, handle, state)).filter((o) => o.transaction_type === 'SELL'),
    ).toEqual([]);
    await stack.control.pinPrice(token, newStop);
    const summary = await handle.result();
    expect(summary.exitReason).toBe('STOP_LOSS');
    expect(summary.exitPrice).toBeCloseTo(newStop, 2);
  });

  it.each([1, 2, 3, 4, 5])('a force exit racing a stop crossing is one sell (run %i)', async () => {
    const { handle, state } = await openPosition(stack);
    await watched(stack, state.contract!.token);
    await Promise.all([
      handle.signal(forceExitSignal, 'race'),
      stack.control.pinPrice(state.contract!.token, state.exits!.stopLoss),
    ]);
    const summary = await handle.result();
    expect(['FORCE_EXIT', 'STOP_LOSS']).toContain(summary.exitReason);
    const closed = await waitForPhase(handle, 'CLOSED');
    const sells = (await ordersOf(stack, handle, state)).filter(
      (o) => o.transaction_type === 'SELL',
    );
    expect(sells).toHaveLength(1);
    expect(sells[0].filled_quantity).toBe(state.quantity);
    await expectMatchesExchange(stack, closed, summary);
  });

  it("tag look-ups come from the worker's order book: no GET /orders per order", async () => {
    const gets: string[] = [];
    const count = (method: string, path: string) =>
      method === 'GET' && path === '/orders' && gets.push(path);
    stack.exchange.events.on('request', count);
    try {
      for (let i = 0; i < 3; i++) {
        const { handle, state } = await openPosition(stack);
        await watched(stack, state.contract!.token);
        await stack.control.pinPrice(state.contract!.token, state.exits!.stopLoss);
        await handle.result();
        await stack.control.unpinAll();
      }
    } finally {
      stack.exchange.events.off('request', count);
    }
    // Three entries and three trigger exits looked their tags up in memory, and each workflow
    // awaited its trigger's order by id: at most the mirror's first snapshot asked the broker.
    expect(gets.length).toBeLessThanOrEqual(1);
    expect(stack.worker!.orders.stats.hits).toBeGreaterThanOrEqual(6);
  });
});
