import { forceExitSignal, type PositionState } from '../../src/workflows/messages';
import { cliEnv, runCliJson } from '../client/run-cli';
import { netAtBroker, ordersAtBroker, sellAtBroker, buyAtBroker } from '../harness/broker-book';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import { openPosition, waitForPhase, type PositionHandle } from '../harness/positions';
import { tagsOf } from '../harness/tags';
import { eventually } from '../harness/eventually';

const LOTS = 2;
const UNITS = 65 * LOTS;

/** Orders at the exchange that carry one of this position's tags. */
async function ordersOf(stack: PaperStack, handle: PositionHandle, state: PositionState) {
  const { prefix } = tagsOf(handle.workflowId, state.tagScheme!);
  return (await ordersAtBroker(stack)).filter((o) => o.tag?.startsWith(prefix));
}

/**
 * Invariant 6 through the user's path: the broker's position decides every
 * exit. A position closed at the broker behind the workflow's back (the Kite
 * app, Zerodha's auto square-off) ends as an external close at the broker's
 * prices; nothing ever sells into a short.
 */
/**
 * Two positions on the same at-the-money contract (spot put exactly on a
 * strike), and the order the broker's units are shared out in when it holds
 * less than both: by workflow id.
 */
async function twoOnOneContract() {
  const spots = (await (await fetch(`${stack.exchange.restUrl}/_control/spots`)).json()) as {
    data: { NIFTY: number };
  };
  await stack.control.setSpot('NIFTY', Math.round(spots.data.NIFTY / 50) * 50);
  const [a, b] = await Promise.all([openPosition(stack), openPosition(stack)]);
  const symbol = a.state.contract!.tradingSymbol;
  expect(b.state.contract!.tradingSymbol).toBe(symbol);
  expect(await netAtBroker(stack, symbol)).toBe(2 * UNITS);
  const inLine = [a, b].sort((x, y) => (x.handle.workflowId < y.handle.workflowId ? -1 : 1));
  return { a, b, symbol, inLine };
}

let stack: PaperStack;

describe('the broker is the truth for every exit (paper stack, CLI, exchange books)', () => {
  beforeAll(async () => {
    stack = await startPaperStack({
      overrides: (c) => ({
        ...c,
        entry: { ...c.entry, sizing: { mode: 'FIXED_LOTS', lots: LOTS } },
        risk: { ...c.risk, maxOpenPositions: 4 },
      }),
    });
  });
  afterAll(() => stack.stop());
  afterEach(async () => {
    await stack.control.unpinAll();
    await stack.resetAccount();
  });

  it('closed elsewhere before the stop: EXTERNAL_CLOSE at the broker price, no sell of ours', async () => {
    const { handle, state } = await openPosition(stack);
    const symbol = state.contract!.tradingSymbol;
    const external = await sellAtBroker(stack, symbol, UNITS);
    expect(await netAtBroker(stack, symbol)).toBe(0);
    await stack.control.pinPrice(state.contract!.token, state.exits!.stopLoss);

    const summary = await handle.result();
    const closed = await waitForPhase(handle, 'CLOSED');
    expect(summary.exitReason).toBe('EXTERNAL_CLOSE');
    expect(closed.requestedExit).toBe('STOP_LOSS');
    expect(closed.exitFills).toEqual([
      expect.objectContaining({
        orderId: external,
        quantity: UNITS,
        external: { priced: 'trades' },
      }),
    ]);
    expect(
      (await ordersOf(stack, handle, closed)).filter((o) => o.transaction_type === 'SELL'),
    ).toEqual([]);
    const [trade] = (await stack.kite.getOrderTrades(external)) as unknown as Array<{
      average_price: number;
    }>;
    expect(summary.exitPrice).toBeCloseTo(trade.average_price, 2);
    expect(summary.grossPnl).toBeCloseTo((trade.average_price - summary.entryPrice!) * UNITS, 2);
    expect(await netAtBroker(stack, symbol)).toBe(0);
  });

  it('closed elsewhere before `trade position exit`: the CLI exit sells nothing', async () => {
    const { handle, state } = await openPosition(stack);
    const symbol = state.contract!.tradingSymbol;
    await sellAtBroker(stack, symbol, UNITS);
    await runCliJson(
      ['position', 'exit', handle.workflowId, '--reason', 'e2e'],
      cliEnv(stack.config),
    );

    const summary = await handle.result();
    const closed = await waitForPhase(handle, 'CLOSED');
    expect(summary.exitReason).toBe('EXTERNAL_CLOSE');
    expect(closed.requestedExit).toBe('FORCE_EXIT');
    expect(
      (await ordersOf(stack, handle, closed)).filter((o) => o.transaction_type === 'SELL'),
    ).toEqual([]);
    expect(await netAtBroker(stack, symbol)).toBe(0);
  });

  it('partly closed elsewhere: sells only what the broker still shows', async () => {
    const { handle, state } = await openPosition(stack);
    const symbol = state.contract!.tradingSymbol;
    await sellAtBroker(stack, symbol, UNITS / 2);
    await handle.signal(forceExitSignal, 'e2e');

    const summary = await handle.result();
    const closed = await waitForPhase(handle, 'CLOSED');
    expect(summary.exitReason).toBe('FORCE_EXIT');
    const external = closed.exitFills.filter((f) => f.external);
    const ours = closed.exitFills.filter((f) => !f.external);
    expect(external.map((f) => f.quantity)).toEqual([UNITS / 2]);
    expect(ours.reduce((s, f) => s + f.quantity, 0)).toBe(UNITS / 2);
    const sells = (await ordersOf(stack, handle, closed)).filter(
      (o) => o.transaction_type === 'SELL',
    );
    expect(sells.map((o) => o.filled_quantity)).toEqual([UNITS / 2]);
    expect(await netAtBroker(stack, symbol)).toBe(0);
  });

  it('two positions on one contract, one closed elsewhere: the first in line sells, the last takes the close', async () => {
    const { a, b, symbol, inLine } = await twoOnOneContract();
    await sellAtBroker(stack, symbol, UNITS);
    await a.handle.signal(forceExitSignal, 'e2e');
    await a.handle.result();
    await b.handle.signal(forceExitSignal, 'e2e');
    await b.handle.result();

    const [first, last] = inLine;
    expect((await first.handle.result()).exitReason).toBe('FORCE_EXIT');
    expect((await waitForPhase(first.handle, 'CLOSED')).exitFills.every((f) => !f.external)).toBe(
      true,
    );
    expect((await last.handle.result()).exitReason).toBe('EXTERNAL_CLOSE');
    const lastClosed = await waitForPhase(last.handle, 'CLOSED');
    expect(
      (await ordersOf(stack, last.handle, lastClosed)).filter((o) => o.transaction_type === 'SELL'),
    ).toEqual([]);
    expect(await netAtBroker(stack, symbol)).toBe(0);
  });

  it("a sibling's sale the broker has filled but its position has not heard of is not a close elsewhere", async () => {
    const { a, b, symbol } = await twoOnOneContract();

    await stack.control.injectFaults({ orderAckDelayMs: 4_000 });
    try {
      await b.handle.signal(forceExitSignal, 'e2e');
      expect(
        await eventually(
          () => netAtBroker(stack, symbol),
          (net) => net === UNITS,
        ),
      ).toBe(UNITS);
      await a.handle.signal(forceExitSignal, 'e2e');
      const summaries = await Promise.all([a.handle.result(), b.handle.result()]);
      expect(summaries.map((s) => s.exitReason)).toEqual(['FORCE_EXIT', 'FORCE_EXIT']);
    } finally {
      await stack.control.clearFaults();
    }
    for (const p of [a, b]) {
      const closed = await waitForPhase(p.handle, 'CLOSED');
      expect(closed.exitFills.filter((f) => f.external)).toEqual([]);
    }
    expect(await netAtBroker(stack, symbol)).toBe(0);
  });

  it('two positions on one contract, one closed elsewhere, both stops crossed by one tick: no short', async () => {
    const { a, b, symbol, inLine } = await twoOnOneContract();
    await sellAtBroker(stack, symbol, UNITS);

    // One price through both stops: both triggers fire on the same tick.
    const stop = Math.min(a.state.exits!.stopLoss, b.state.exits!.stopLoss);
    await stack.control.pinPrice(a.state.contract!.token, stop);
    const [first, last] = inLine;
    expect((await first.handle.result()).exitReason).toBe('STOP_LOSS');
    expect((await last.handle.result()).exitReason).toBe('EXTERNAL_CLOSE');
    expect(await netAtBroker(stack, symbol)).toBe(0);
    const sold = async (p: typeof first) => {
      const closed = await waitForPhase(p.handle, 'CLOSED');
      return (await ordersOf(stack, p.handle, closed))
        .filter((o) => o.transaction_type === 'SELL')
        .reduce((sum, o) => sum + o.filled_quantity, 0);
    };
    expect([await sold(first), await sold(last)]).toEqual([UNITS, 0]);
  });

  it('leaves alone, and reports, units the broker holds beyond the position', async () => {
    const { handle, state } = await openPosition(stack);
    const symbol = state.contract!.tradingSymbol;
    await buyAtBroker(stack, symbol, 65);
    await handle.signal(forceExitSignal, 'e2e');

    const summary = await handle.result();
    const closed = await waitForPhase(handle, 'CLOSED');
    expect(summary).toMatchObject({ exitReason: 'FORCE_EXIT', quantity: UNITS });
    expect(closed.brokerExcess).toBe(65);
    expect(await netAtBroker(stack, symbol)).toBe(65);
    await sellAtBroker(stack, symbol, 65);
    expect(await netAtBroker(stack, symbol)).toBe(0);
  });
});
