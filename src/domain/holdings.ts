import { tagOwner } from './order-tag';

/**
 * The broker's positions are the truth; a workflow's own fills are only what
 * it believes. These rules decide how much an exit may sell and how the two
 * views of the book disagree. Quantities are units (lots x lot size).
 */

export interface ExitSizing {
  /** Units to sell now: never more than the broker shows long for this position. */
  sell: number;
  /** Units this position believes it holds that the broker no longer shows: sold elsewhere. */
  closedElsewhere: number;
  /** Units the broker shows beyond every open position's holding: left alone and reported. */
  excess: number;
}

/**
 * How much one position's exit may sell. `brokerNet` is the broker's net
 * quantity for the contract and product; `othersHeld` what the other open
 * positions on that contract hold. The broker's units are shared out in a
 * fixed order of the positions (`aheadHeld`: what those before this one
 * hold; all the others when absent, as exits were sized before the order
 * existed): units sold elsewhere come off the last in line, so two exits
 * sized at once never both take the shortfall, never sell each other's
 * units, and never sell into a short.
 */
export function sizeExit(p: {
  held: number;
  brokerNet: number;
  othersHeld: number;
  aheadHeld?: number;
  lotSize: number;
}): ExitSizing {
  const lot = Math.max(1, p.lotSize);
  const held = Math.max(0, p.held);
  const available = Math.max(0, p.brokerNet - Math.max(0, p.aheadHeld ?? p.othersHeld));
  const sell = Math.floor(Math.min(held, available) / lot) * lot;
  return {
    sell,
    closedElsewhere: held - sell,
    excess: Math.max(0, p.brokerNet - Math.max(0, p.othersHeld) - held),
  };
}

/** One order of the broker's book, as much as attributing its fills needs. */
export interface BookOrder {
  orderId: string;
  tag: string | null;
  tradingsymbol: string;
  product: string;
  transactionType: string;
  filledQuantity: number;
}

/** A position as its own state records it: whose tags are its orders, and the fills it has taken in. */
export interface RecordedPosition {
  tagPrefix: string;
  tradingsymbol: string;
  product: string;
  entryFills: readonly { orderId: string; quantity: number }[];
  exitFills: readonly { orderId: string; quantity: number }[];
}

/**
 * What a position holds at the broker as of `orders`: the fills it has
 * recorded, plus the fills of its own tagged orders it has not recorded yet.
 * A sibling's sale filled while its workflow waits for the answer, or placed
 * by its trigger and not yet adopted, has already left the broker's net; by
 * its recorded fills alone the sibling would still hold those units, and an
 * exit sized against it would take the gap for a close elsewhere.
 */
export function heldAtBroker(position: RecordedPosition, orders: readonly BookOrder[]): number {
  const recorded = new Map<string, number>();
  for (const f of [...position.entryFills, ...position.exitFills])
    recorded.set(f.orderId, (recorded.get(f.orderId) ?? 0) + f.quantity);
  const sum = (fills: RecordedPosition['entryFills']) => fills.reduce((s, f) => s + f.quantity, 0);
  let held = sum(position.entryFills) - sum(position.exitFills);
  for (const o of orders) {
    if (
      !o.tag?.startsWith(position.tagPrefix) ||
      o.tradingsymbol !== position.tradingsymbol ||
      o.product !== position.product
    )
      continue;
    const unrecorded = Math.max(0, o.filledQuantity - (recorded.get(o.orderId) ?? 0));
    held += o.transactionType === 'BUY' ? unrecorded : -unrecorded;
  }
  return Math.max(0, held);
}

/** One contract's fills in the book: per owner of our tags, units bought less sold; and any stranger's. */
export interface ContractFills {
  owners: Map<string, number>;
  /** Units orders without a tag of ours (the Kite app, an auto square-off) bought less those they sold. */
  strangers: number;
}

export function fillsByOwner(
  orders: Iterable<BookOrder>,
  tradingsymbol: string,
  product: string,
): ContractFills {
  const fills: ContractFills = { owners: new Map(), strangers: 0 };
  for (const o of orders) {
    if (o.tradingsymbol !== tradingsymbol || o.product !== product || o.filledQuantity === 0)
      continue;
    const owner = tagOwner(o.tag);
    const units = o.transactionType === 'BUY' ? o.filledQuantity : -o.filledQuantity;
    if (owner === undefined) fills.strangers += units;
    else fills.owners.set(owner, (fills.owners.get(owner) ?? 0) + units);
  }
  return fills;
}

/**
 * Whether the book shows `quantity` as the position's own, so that selling
 * it needs no sibling's word: orders not ours (the Kite app, an auto
 * square-off) have sold no more of the contract than they bought (whose
 * units a net sale took cannot be told), the broker holds at least all our
 * tagged fills, and the position's own tags bought at least that much.
 * Exits sized against the siblings count such positions first in line
 * (`heldAhead`), so their units are never shared out to another. Each sale
 * is then covered by its own fills, and any number of exits at once
 * (triggers crossing on one tick, a square-off) sell no more than the
 * broker holds.
 */
export function ownFillsCover(p: {
  quantity: number;
  /** The position's `tagPrefix`. */
  owner: string;
  /** The broker's net units of the contract. */
  net: number;
  fills: ContractFills;
}): boolean {
  const tagged = [...p.fills.owners.values()].reduce((s, q) => s + q, 0);
  return (
    p.fills.strangers >= 0 && p.net >= tagged && (p.fills.owners.get(p.owner) ?? 0) >= p.quantity
  );
}

/** A position in the line the broker's units are shared out in when it holds less than all of them. */
export interface InLine {
  workflowId: string;
  /** Its own tagged fills cover what it holds: it may sell by itself, so it goes first. */
  covered: boolean;
}

/**
 * What the positions before `me` in line hold: those whose own fills cover
 * them first (their triggers sell without asking, so their units are never
 * given to another), then the rest, each group by workflow id.
 */
export function heldAhead(me: InLine, others: readonly (InLine & { held: number })[]): number {
  const before = (o: InLine) =>
    o.covered !== me.covered ? o.covered : o.workflowId < me.workflowId;
  return others.filter(before).reduce((s, o) => s + Math.max(0, o.held), 0);
}

export interface BrokerHolding {
  tradingsymbol: string;
  exchange: string;
  product: string;
  /** Net units: negative is a short. */
  quantity: number;
  averagePrice: number;
}

export interface WorkflowHolding {
  workflowId: string;
  tradingsymbol: string;
  product: string;
  /** Units the workflow holds by its own fills (for an entering position, what it asked for). */
  held: number;
  /** Entering or exiting: an order may be moving the broker's quantity right now. */
  inFlux: boolean;
}

export type HoldingVerdict =
  /** Broker and workflows agree. */
  | 'OK'
  /** The broker holds a contract no workflow owns (a manual trade, a failed or terminated workflow). */
  | 'ORPHAN'
  /** A workflow holds a contract the broker is flat on (closed elsewhere). */
  | 'PHANTOM'
  /** Both hold it, in different quantities. */
  | 'MISMATCH'
  /** A workflow on the contract is entering or exiting; the difference may be an order in flight. */
  | 'IN_FLUX';

export interface HoldingRow {
  tradingsymbol: string;
  exchange: string;
  product: string;
  broker: number;
  owned: number;
  /** broker - owned: positive is quantity nobody supervises. */
  difference: number;
  verdict: HoldingVerdict;
  averagePrice: number;
  workflows: string[];
}

const keyOf = (h: { tradingsymbol: string; product: string }) => `${h.tradingsymbol}|${h.product}`;

/** One row per contract and product that either side holds, worst first. */
export function compareHoldings(
  broker: readonly BrokerHolding[],
  workflows: readonly WorkflowHolding[],
): HoldingRow[] {
  const rows = new Map<string, HoldingRow & { inFlux: boolean }>();
  const rowFor = (h: { tradingsymbol: string; product: string }, exchange: string) => {
    const key = keyOf(h);
    let row = rows.get(key);
    if (!row) {
      row = {
        tradingsymbol: h.tradingsymbol,
        exchange,
        product: h.product,
        broker: 0,
        owned: 0,
        difference: 0,
        verdict: 'OK',
        averagePrice: 0,
        workflows: [],
        inFlux: false,
      };
      rows.set(key, row);
    }
    return row;
  };
  for (const b of broker) {
    const row = rowFor(b, b.exchange);
    row.broker += b.quantity;
    row.averagePrice = b.averagePrice;
  }
  for (const w of workflows) {
    const row = rowFor(w, 'NFO');
    row.owned += Math.max(0, w.held);
    row.inFlux ||= w.inFlux;
    row.workflows.push(w.workflowId);
  }
  const out: HoldingRow[] = [];
  for (const { inFlux, ...row } of rows.values()) {
    row.difference = row.broker - row.owned;
    row.verdict =
      row.difference === 0
        ? 'OK'
        : inFlux
          ? 'IN_FLUX'
          : row.owned === 0
            ? 'ORPHAN'
            : row.broker === 0
              ? 'PHANTOM'
              : 'MISMATCH';
    if (row.broker === 0 && row.owned === 0) continue;
    out.push(row);
  }
  const rank: Record<HoldingVerdict, number> = {
    ORPHAN: 0,
    MISMATCH: 1,
    PHANTOM: 2,
    IN_FLUX: 3,
    OK: 4,
  };
  return out.sort(
    (a, b) => rank[a.verdict] - rank[b.verdict] || a.tradingsymbol.localeCompare(b.tradingsymbol),
  );
}

/**
 * Quantity nobody supervises that an orphan policy may act on: long units
 * beyond every owner's holding. A short is never acted on automatically: the
 * system only buys options, so a short needs a person.
 */
export const unsupervisedLong = (row: HoldingRow): number =>
  row.verdict === 'ORPHAN' || row.verdict === 'MISMATCH' ? Math.max(0, row.difference) : 0;
