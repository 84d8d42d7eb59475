import type { Connect } from 'kiteconnect';
import type { TagScheme } from '../../../src/domain/order-tag';
import { tagsOf } from '../../harness/tags';
import {
  positionStateQuery,
  type PositionState,
  type PositionSummary,
} from '../../../src/workflows/messages';
import type { TradedPosition } from './cohorts';

interface ExchangeOrder {
  order_id: string;
  tag: string | null;
  transaction_type: string;
  tradingsymbol: string;
}
interface ExchangeTrade {
  order_id: string;
  quantity: number;
  average_price: number;
}

/** What the exchange holds for one position, found by the tag prefix its workflow id hashes to. */
interface Holdings {
  entryOrdersByTag: Map<string, number>;
  exitOrdersByTag: Map<string, number>;
  bought: number;
  sold: number;
  buyValue: number;
  sellValue: number;
}

export interface AuditCounts {
  positions: number;
  entryOrders: number;
  exitOrders: number;
  /** Tags carried by more than one order: invariant 1 broken. */
  duplicateTags: number;
  /** Positions that needed more than one exit round (each round is a new intent with new tags). */
  retriedExits: number;
  /** Positions that sold at the exchange exactly what they bought. */
  flat: number;
  /** Positions CLOSED with a summary equal to the exchange's fills. */
  closedAndMatching: number;
  /** Tagged orders that belong to none of the positions. */
  strayOrders: number;
  /** Contracts with a non-zero net position at the exchange. */
  openSymbols: number;
}

export interface Audit {
  counts: AuditCounts;
  problems: string[];
}

/** The first 13 characters of every tag name the workflow (see tagPrefix). */
const LEG_AT = 13;

/** The exit round a tag was made for, if it really is one of this workflow's exit tags. */
function exitRoundOf(workflowId: string, scheme: TagScheme, tag: string): number | undefined {
  const slice = parseInt(tag.slice(LEG_AT + 1, LEG_AT + 2), 36);
  const round = parseInt(tag.slice(LEG_AT + 2), 36);
  if (!Number.isInteger(slice) || !Number.isInteger(round)) return undefined;
  return tagsOf(workflowId, scheme).tag('EXIT', round, slice) === tag ? round : undefined;
}
const close = (a: number | undefined, b: number) => a !== undefined && Math.abs(a - b) < 0.005;

function holdingsOf(prefix: string, orders: ExchangeOrder[], trades: ExchangeTrade[]): Holdings {
  const h: Holdings = {
    entryOrdersByTag: new Map(),
    exitOrdersByTag: new Map(),
    bought: 0,
    sold: 0,
    buyValue: 0,
    sellValue: 0,
  };
  for (const order of orders.filter((o) => o.tag?.startsWith(prefix))) {
    const byTag = order.tag![LEG_AT] === 'E' ? h.entryOrdersByTag : h.exitOrdersByTag;
    byTag.set(order.tag!, (byTag.get(order.tag!) ?? 0) + 1);
    for (const t of trades.filter((t) => t.order_id === order.order_id)) {
      const value = Number(t.quantity) * Number(t.average_price);
      if (order.transaction_type === 'BUY') {
        h.bought += Number(t.quantity);
        h.buyValue += value;
      } else {
        h.sold += Number(t.quantity);
        h.sellValue += value;
      }
    }
  }
  return h;
}

/** Everything the workflow says against everything the exchange holds; an empty list is a match. */
function mismatches(
  workflowId: string,
  state: PositionState,
  summary: PositionSummary,
  h: Holdings,
): string[] {
  const problems: string[] = [];
  const expect = (ok: boolean, what: string) => ok || problems.push(what);
  expect(state.phase === 'CLOSED', `phase ${state.phase}`);
  for (const [tag, n] of [...h.entryOrdersByTag, ...h.exitOrdersByTag])
    expect(n === 1, `${n} orders carry tag ${tag}`);
  const entryTags = state.entryFills.map((f) => f.tag).sort();
  expect(
    JSON.stringify([...h.entryOrdersByTag.keys()].sort()) === JSON.stringify(entryTags),
    `entry tags at the exchange ${[...h.entryOrdersByTag.keys()]} but filled ${entryTags}`,
  );
  for (const tag of h.exitOrdersByTag.keys()) {
    const round = exitRoundOf(workflowId, state.tagScheme ?? { version: 1 }, tag);
    expect(
      round !== undefined && round < state.exitAttempts,
      `exit order ${tag} from no exit round the workflow ran (${state.exitAttempts} rounds)`,
    );
  }
  expect(h.bought === summary.quantity, `bought ${h.bought}, summary says ${summary.quantity}`);
  expect(h.sold === h.bought, `sold ${h.sold} of ${h.bought}`);
  expect(
    close(summary.entryPrice, h.buyValue / h.bought),
    `entry ${summary.entryPrice}, exchange ${h.buyValue / h.bought}`,
  );
  expect(
    close(summary.exitPrice, h.sellValue / h.sold),
    `exit ${summary.exitPrice}, exchange ${h.sellValue / h.sold}`,
  );
  expect(
    close(summary.grossPnl, h.sellValue - h.buyValue),
    `gross P&L ${summary.grossPnl}, exchange ${h.sellValue - h.buyValue}`,
  );
  return problems;
}

/**
 * The exchange is the truth. Per position: exactly one order per tag, entry
 * orders only for the entry it filled, exit orders only from exit rounds it
 * ran, sold what it bought, and a summary whose quantity, average prices and
 * gross P&L equal the exchange's trades. Overall: no stray orders, no open
 * contract.
 */
export async function auditAgainstExchange(
  kite: Connect,
  positions: TradedPosition[],
): Promise<Audit> {
  const orders = (await kite.getOrders()) as unknown as ExchangeOrder[];
  const trades = (await kite.getTrades()) as unknown as ExchangeTrade[];
  const net = ((await kite.getPositions()) as unknown as { net: Array<{ quantity: number }> }).net;
  const counts: AuditCounts = {
    positions: positions.length,
    entryOrders: 0,
    exitOrders: 0,
    duplicateTags: 0,
    retriedExits: 0,
    flat: 0,
    closedAndMatching: 0,
    strayOrders: 0,
    openSymbols: net.filter((p) => Number(p.quantity) !== 0).length,
  };
  const problems: string[] = [];
  const prefixes = new Set<string>();
  for (const { handle, summary } of positions) {
    const state = await handle.query(positionStateQuery);
    const { prefix } = tagsOf(handle.workflowId, state.tagScheme ?? { version: 1 });
    prefixes.add(prefix);
    const h = holdingsOf(prefix, orders, trades);
    const tagCounts = [...h.entryOrdersByTag.values(), ...h.exitOrdersByTag.values()];
    counts.entryOrders += sum([...h.entryOrdersByTag.values()]);
    counts.exitOrders += sum([...h.exitOrdersByTag.values()]);
    counts.duplicateTags += tagCounts.filter((n) => n > 1).length;
    counts.retriedExits += h.exitOrdersByTag.size > 1 ? 1 : 0;
    counts.flat += h.bought > 0 && h.sold === h.bought ? 1 : 0;
    const wrong = mismatches(handle.workflowId, state, summary, h);
    if (wrong.length === 0) counts.closedAndMatching += 1;
    else problems.push(`${handle.workflowId}: ${wrong.join('; ')}`);
  }
  counts.strayOrders = orders.filter((o) => !o.tag || !prefixes.has(o.tag.slice(0, 13))).length;
  return { counts, problems };
}

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

export const formatCounts = (c: AuditCounts): string =>
  `positions ${c.positions}, entry orders ${c.entryOrders}, exit orders ${c.exitOrders} ` +
  `(${c.retriedExits} positions needed a second exit round), duplicate tags ${c.duplicateTags}, ` +
  `flat ${c.flat}/${c.positions}, closed and matching the exchange ${c.closedAndMatching}/${c.positions}, ` +
  `stray orders ${c.strayOrders}, open contracts ${c.openSymbols}`;
