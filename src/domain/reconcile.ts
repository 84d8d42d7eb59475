import { unsupervisedLong, type BrokerHolding, type HoldingRow } from './holdings';

/**
 * Reconciliation compares the broker's book with what the running position
 * workflows believe. These are its decisions; the reconciler workflow only
 * gathers the inputs and carries the results.
 */

export const holdingKey = (row: Pick<HoldingRow, 'tradingsymbol' | 'product'>): string =>
  `${row.tradingsymbol}|${row.product}`;

/** An orphan as an operator acknowledges it: the contract and the quantity seen, so a change asks again. */
export const orphanKey = (row: HoldingRow): string => `${holdingKey(row)}|${row.difference}`;

/**
 * Two reads a moment apart: a row counts only if both agree on it, so an
 * order filling between the broker read and the workflow queries is never
 * taken for an orphan. Rows that moved are in flux.
 */
export function confirmRows(
  first: readonly HoldingRow[],
  second: readonly HoldingRow[],
): HoldingRow[] {
  const earlier = new Map(first.map((r) => [holdingKey(r), r]));
  return second.map((row) => {
    const before = earlier.get(holdingKey(row));
    const same =
      before !== undefined &&
      before.verdict === row.verdict &&
      before.difference === row.difference;
    return same || row.verdict === 'OK' ? row : { ...row, verdict: 'IN_FLUX' as const };
  });
}

/**
 * The contracts the confirming read need not ask the workflows about again:
 * the first read found them OK and the broker's net quantity is the same
 * now. Only a row both reads agree on is acted on, so such a contract cannot
 * be a confirmed mismatch in this run whatever its workflows say now; a
 * change on their side alone (an entry whose order has not filled) shows in
 * the next run. Every other contract, and every position the first read did
 * not see, is asked again.
 */
export function settledHoldings(
  first: readonly HoldingRow[],
  brokerNow: readonly Pick<BrokerHolding, 'tradingsymbol' | 'product' | 'quantity'>[],
): Set<string> {
  const now = new Map<string, number>();
  for (const b of brokerNow) now.set(holdingKey(b), (now.get(holdingKey(b)) ?? 0) + b.quantity);
  return new Set(
    first
      .filter((r) => r.verdict === 'OK' && (now.get(holdingKey(r)) ?? 0) === r.broker)
      .map(holdingKey),
  );
}

export interface OpenOrder {
  orderId: string;
  tag: string | null;
  tradingsymbol: string;
  transactionType: string;
  status: string;
  quantity: number;
  pendingQuantity: number;
  placedAt?: number;
  /** The running position whose tag the order carries, if any. */
  owner?: string;
}

export interface StaleOrder extends OpenOrder {
  ageMinutes?: number;
  why: 'old' | 'unowned';
}

/** Open orders left working too long, or working with no running position behind them. */
export function staleOrders(
  open: readonly OpenOrder[],
  now: number,
  staleAfterMinutes: number,
): StaleOrder[] {
  return open.flatMap((o): StaleOrder[] => {
    const ageMinutes = o.placedAt === undefined ? undefined : (now - o.placedAt) / 60_000;
    if (ageMinutes !== undefined && ageMinutes >= staleAfterMinutes)
      return [{ ...o, ageMinutes: Math.floor(ageMinutes), why: 'old' }];
    if (o.owner === undefined)
      return [
        {
          ...o,
          ...(ageMinutes !== undefined && { ageMinutes: Math.floor(ageMinutes) }),
          why: 'unowned',
        },
      ];
    return [];
  });
}

export interface EntryGate {
  blocked: boolean;
  reason: string;
}

/**
 * NautilusTrader's rule: no new entries while the broker's book is not
 * explained. That is, while the last reconciliation failed, or it found
 * quantity nobody supervises that neither a policy is handling nor an
 * operator has acknowledged.
 */
export function entryGate(p: {
  failure?: string;
  rows: readonly HoldingRow[];
  acknowledged: ReadonlySet<string>;
  handling: ReadonlySet<string>;
}): EntryGate {
  if (p.failure) return { blocked: true, reason: `the last reconciliation failed: ${p.failure}` };
  const unexplained = p.rows.filter(
    (r) =>
      (r.verdict === 'ORPHAN' || r.verdict === 'MISMATCH') &&
      r.difference !== 0 &&
      !p.acknowledged.has(orphanKey(r)) &&
      !(unsupervisedLong(r) > 0 && p.handling.has(holdingKey(r))),
  );
  if (unexplained.length === 0) return { blocked: false, reason: 'the broker book is explained' };
  return {
    blocked: true,
    reason: `unexplained broker quantity: ${unexplained
      .map((r) => `${r.tradingsymbol} ${r.product} ${r.difference > 0 ? '+' : ''}${r.difference}`)
      .join(', ')} (npx trade reconcile --ack acknowledges it)`,
  };
}
