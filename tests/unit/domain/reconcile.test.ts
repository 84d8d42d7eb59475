import type { HoldingRow } from '../../../src/domain/holdings';
import {
  confirmRows,
  entryGate,
  orphanKey,
  settledHoldings,
  staleOrders,
} from '../../../src/domain/reconcile';

const row = (over: Partial<HoldingRow>): HoldingRow => ({
  tradingsymbol: 'NIFTY26D0826500CE',
  exchange: 'NFO',
  product: 'MIS',
  broker: 65,
  owned: 0,
  difference: 65,
  verdict: 'ORPHAN',
  averagePrice: 100,
  workflows: [],
  ...over,
});

describe('confirmRows', () => {
  it('keeps a row both reads agree on and puts one that moved in flux', () => {
    const first = [row({}), row({ tradingsymbol: 'B', difference: 65 })];
    const second = [row({}), row({ tradingsymbol: 'B', difference: 130, broker: 130 })];
    expect(confirmRows(first, second).map((r) => r.verdict)).toEqual(['ORPHAN', 'IN_FLUX']);
  });

  it('puts a row seen only in the second read in flux', () => {
    expect(confirmRows([], [row({})])[0].verdict).toBe('IN_FLUX');
  });
});

describe('settledHoldings', () => {
  const ok = (tradingsymbol: string, broker: number) =>
    row({ tradingsymbol, broker, owned: broker, difference: 0, verdict: 'OK' });
  const at = (tradingsymbol: string, quantity: number, product = 'MIS') => ({
    tradingsymbol,
    product,
    quantity,
  });

  it('settles a contract the first read found OK whose broker quantity has not moved', () => {
    expect([...settledHoldings([ok('A', 65), ok('B', 130)], [at('A', 65), at('B', 130)])]).toEqual([
      'A|MIS',
      'B|MIS',
    ]);
  });

  it('asks again where the broker moved, where the first read disagreed, or for another product', () => {
    const first = [ok('A', 65), row({ tradingsymbol: 'B' }), ok('C', 65), ok('D', 65)];
    const now = [at('A', 130), at('B', 65), at('C', 65, 'NRML')];
    expect([...settledHoldings(first, now)]).toEqual([]);
  });

  it('settles a contract both reads find flat at the broker, as the workflows had it', () => {
    expect([...settledHoldings([ok('A', 0)], [])]).toEqual(['A|MIS']);
  });
});

describe('staleOrders', () => {
  const now = Date.UTC(2026, 11, 2, 6, 0);
  const order = (over: object) => ({
    orderId: '1',
    tag: null,
    tradingsymbol: 'X',
    transactionType: 'BUY',
    status: 'OPEN',
    quantity: 65,
    pendingQuantity: 65,
    ...over,
  });
  it('reports orders working too long, and orders no running position owns', () => {
    expect(
      staleOrders(
        [
          order({ orderId: 'old', owner: 'pos-a', placedAt: now - 6 * 60_000 }),
          order({ orderId: 'fresh', owner: 'pos-a', placedAt: now - 60_000 }),
          order({ orderId: 'unowned', placedAt: now - 60_000 }),
        ],
        now,
        5,
      ).map((o) => [o.orderId, o.why, o.ageMinutes]),
    ).toEqual([
      ['old', 'old', 6],
      ['unowned', 'unowned', 1],
    ]);
  });
});

describe('entryGate', () => {
  const none = new Set<string>();
  it('holds entries when the last reconciliation failed', () => {
    expect(entryGate({ failure: 'timeout', rows: [], acknowledged: none, handling: none })).toEqual(
      {
        blocked: true,
        reason: 'the last reconciliation failed: timeout',
      },
    );
  });

  it('holds entries for an unexplained orphan until acknowledged at that quantity', () => {
    const orphan = row({});
    expect(entryGate({ rows: [orphan], acknowledged: none, handling: none }).blocked).toBe(true);
    const acked = new Set([orphanKey(orphan)]);
    expect(entryGate({ rows: [orphan], acknowledged: acked, handling: none }).blocked).toBe(false);
    // The same contract with more quantity is a new orphan.
    const grown = row({ broker: 130, difference: 130 });
    expect(entryGate({ rows: [grown], acknowledged: acked, handling: none }).blocked).toBe(true);
  });

  it('lets entries through while a policy handles the orphan, and for phantoms', () => {
    const orphan = row({});
    const handling = new Set(['NIFTY26D0826500CE|MIS']);
    expect(entryGate({ rows: [orphan], acknowledged: none, handling }).blocked).toBe(false);
    const phantom = row({ verdict: 'PHANTOM', broker: 0, owned: 65, difference: -65 });
    expect(entryGate({ rows: [phantom], acknowledged: none, handling: none }).blocked).toBe(false);
  });
});
