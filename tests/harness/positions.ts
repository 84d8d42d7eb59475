import type { WorkflowHandle } from '@temporalio/client';
import { submitSignal } from '../../src/client/submit';
import {
  positionStateQuery,
  type Phase,
  type PositionState,
  type PositionSummary,
} from '../../src/workflows/messages';
import type { positionWorkflow } from '../../src/workflows/position';
import type { PaperStack } from './paper-stack';

let counter = 0;
export const newSignal = (over: Record<string, unknown> = {}) => ({
  id: `t${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`,
  underlying: 'NIFTY',
  direction: 'LONG',
  strategy: 'test',
  strength: 7,
  expectedMovePct: 0.5,
  createdAt: new Date().toISOString(),
  ...over,
});

export type PositionHandle = WorkflowHandle<typeof positionWorkflow>;

export async function openPosition(stack: PaperStack, over: Record<string, unknown> = {}) {
  const { handle } = await submitSignal(stack.client, stack.config, newSignal(over));
  const state = await waitForPhase(handle, 'OPEN');
  return { handle, state };
}

/** Polls the state query: phases are what the Web UI shows, so tests watch the same thing. */
export async function waitForPhase(
  handle: PositionHandle,
  ...phases: Phase[]
): Promise<PositionState> {
  const deadline = Date.now() + 30_000;
  let last: PositionState | undefined;
  while (Date.now() < deadline) {
    last = await handle.query(positionStateQuery).catch((e: unknown) => {
      if (process.env.DEBUG_POS) console.log(String(e));
      return undefined;
    });
    if (last && phases.includes(last.phase)) return last;
    if (
      last &&
      ['CLOSED', 'REJECTED', 'ENTRY_FAILED'].includes(last.phase) &&
      !phases.includes(last.phase)
    ) {
      throw new Error(
        `position ended ${last.phase} (${last.rejection?.join('; ') ?? last.exitReason}) while waiting for ${phases}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${phases}; last phase ${last?.phase}`);
}

/** Waits until the query shows `predicate`; for wake-ups that change state without changing phase. */
export async function waitForState(
  handle: PositionHandle,
  predicate: (s: PositionState) => boolean,
): Promise<PositionState> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const state = await handle.query(positionStateQuery);
    if (predicate(state)) return state;
    if (Date.now() > deadline) throw new Error(`timed out; state ${JSON.stringify(state)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * The exchange is the truth: exactly one order per tag, everything the
 * workflow says filled did fill at those prices, and the position is flat.
 */
export async function expectMatchesExchange(
  stack: PaperStack,
  state: PositionState,
  summary: PositionSummary,
) {
  const orders = (await stack.kite.getOrders()) as unknown as Array<Record<string, unknown>>;
  const trades = (await stack.kite.getTrades()) as unknown as Array<Record<string, unknown>>;
  const legs = [
    { fills: state.entryFills, side: 'BUY' },
    { fills: state.exitFills, side: 'SELL' },
  ];
  let value = { BUY: 0, SELL: 0 } as Record<string, number>;
  for (const { fills, side } of legs) {
    for (const fill of fills) {
      const tagged = orders.filter((o) => o.tag === fill.tag);
      expect(tagged).toHaveLength(1);
      expect(tagged[0]).toMatchObject({ transaction_type: side, filled_quantity: fill.quantity });
      expect(Number(tagged[0].average_price)).toBeCloseTo(fill.averagePrice, 2);
      const orderTrades = trades.filter((t) => t.order_id === fill.orderId);
      value = {
        ...value,
        [side]:
          value[side] +
          orderTrades.reduce((s, t) => s + Number(t.quantity) * Number(t.average_price), 0),
      };
    }
  }
  const bought = state.entryFills.reduce((s, f) => s + f.quantity, 0);
  const sold = state.exitFills.reduce((s, f) => s + f.quantity, 0);
  expect(bought).toBe(summary.quantity);
  expect(sold).toBe(bought);
  expect(round2(value.SELL - value.BUY)).toBeCloseTo(summary.grossPnl, 2);
  const positions = (await stack.kite.getPositions()) as unknown as {
    net: Array<Record<string, unknown>>;
  };
  const net = positions.net.find((p) => p.tradingsymbol === summary.tradingSymbol);
  expect(net?.quantity ?? 0).toBe(0);
}
