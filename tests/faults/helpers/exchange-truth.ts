import type { TagScheme } from '../../../src/domain/order-tag';
import { tagsOf as positionTags } from '../../harness/tags';
import {
  positionStateQuery,
  type PositionState,
  type PositionSummary,
} from '../../../src/workflows/messages';
import type { PaperStack } from '../../harness/paper-stack';
import type { PositionHandle } from '../../harness/positions';

/** The fields of Kite's order book and trade book these checks read. */
export interface ExchangeOrder {
  order_id: string;
  tag: string | null;
  status: string;
  status_message: string | null;
  tradingsymbol: string;
  transaction_type: 'BUY' | 'SELL';
  filled_quantity: number;
  average_price: number;
}
interface ExchangeTrade {
  order_id: string;
  quantity: number;
  average_price: number;
}

export interface ExchangeTruth {
  state: PositionState;
  summary: PositionSummary;
  /** Every order at the exchange that carries one of this position's tags. */
  orders: ExchangeOrder[];
}

const MAX_SLICE = 35;

/** Every tag the workflow may legitimately have used: its entry rounds and `exitAttempts` exit rounds. */
function tagsOf(workflowId: string, scheme: TagScheme, exitAttempts: number, entryAttempts = 0) {
  const { tag } = positionTags(workflowId, scheme);
  const slices = Array.from({ length: MAX_SLICE + 1 }, (_, s) => s);
  const entry = new Set(
    Array.from({ length: entryAttempts + 1 }, (_, a) =>
      slices.map((s) => tag('ENTRY', a, s)),
    ).flat(),
  );
  const exit = new Set(
    Array.from({ length: exitAttempts }, (_, a) => slices.map((s) => tag('EXIT', a, s))).flat(),
  );
  return { entry, exit };
}

const value = (trades: ExchangeTrade[]) =>
  trades.reduce((sum, t) => sum + t.quantity * t.average_price, 0);
const quantity = (trades: ExchangeTrade[]) => trades.reduce((sum, t) => sum + t.quantity, 0);

/**
 * The exchange is the truth a position's workflow must agree with once it
 * is closed: one order per intent (tag), entry and exit quantities and average
 * prices as the exchange filled them, and nothing left open anywhere.
 */
export async function expectExchangeTruth(
  stack: PaperStack,
  handle: PositionHandle,
): Promise<ExchangeTruth> {
  const summary = await handle.result();
  const { status } = await handle.describe();
  expect(status.name).toBe('COMPLETED');
  const state = await handle.query(positionStateQuery);
  expect(state.phase).toBe('CLOSED');
  expect(state.exitBlocked).toBeUndefined();

  const book = (await stack.kite.getOrders()) as unknown as ExchangeOrder[];
  const trades = (await stack.kite.getTrades()) as unknown as ExchangeTrade[];
  const tagged = book.flatMap((o) => (o.tag ? [o.tag] : []));
  expect(tagged.length).toBe(new Set(tagged).size);

  const scheme = state.tagScheme ?? { version: 1 };
  const { prefix } = positionTags(handle.workflowId, scheme);
  const orders = book.filter((o) => o.tag?.startsWith(prefix));
  const allowed = tagsOf(handle.workflowId, scheme, state.exitAttempts, state.entryAttempts);
  const entries = orders.filter((o) => o.transaction_type === 'BUY');
  const exits = orders.filter((o) => o.transaction_type === 'SELL');
  for (const o of entries) expect(allowed.entry).toContain(o.tag);
  for (const o of exits) expect(allowed.exit).toContain(o.tag);
  expect(entries.map((o) => o.tag).sort()).toEqual(state.entryFills.map((f) => f.tag).sort());

  // Every order that filled is one the workflow knows about, at the exchange's quantity and price.
  const fills = [...state.entryFills, ...state.exitFills];
  const filled = orders.filter((o) => o.filled_quantity > 0);
  expect(filled.map((o) => o.order_id).sort()).toEqual(fills.map((f) => f.orderId).sort());
  for (const fill of fills) {
    const order = filled.find((o) => o.order_id === fill.orderId)!;
    expect(order.tag).toBe(fill.tag);
    expect(order.filled_quantity).toBe(fill.quantity);
    expect(Number(order.average_price)).toBeCloseTo(fill.averagePrice, 2);
  }

  const tradesOf = (side: ExchangeOrder[]) => {
    const ids = new Set(side.map((o) => o.order_id));
    return trades.filter((t) => ids.has(t.order_id));
  };
  const bought = tradesOf(entries);
  const sold = tradesOf(exits);
  expect(summary.quantity).toBeGreaterThan(0);
  expect(quantity(bought)).toBe(summary.quantity);
  expect(quantity(sold)).toBe(summary.quantity);
  expect(summary.entryPrice).toBeCloseTo(value(bought) / quantity(bought), 2);
  expect(summary.exitPrice).toBeCloseTo(value(sold) / quantity(sold), 2);
  expect(summary.grossPnl).toBeCloseTo(value(sold) - value(bought), 2);

  await expectFlat(stack);
  return { state, summary, orders };
}

/** Every position at the exchange is flat: nothing was left behind by any workflow. */
export async function expectFlat(stack: PaperStack): Promise<void> {
  const { net } = (await stack.kite.getPositions()) as unknown as {
    net: Array<{ tradingsymbol: string; quantity: number }>;
  };
  expect(net.filter((p) => p.quantity !== 0)).toEqual([]);
}

/** Net quantity the exchange holds in one contract. */
export async function heldAtExchange(stack: PaperStack, tradingSymbol: string): Promise<number> {
  const { net } = (await stack.kite.getPositions()) as unknown as {
    net: Array<{ tradingsymbol: string; quantity: number }>;
  };
  return net.find((p) => p.tradingsymbol === tradingSymbol)?.quantity ?? 0;
}
