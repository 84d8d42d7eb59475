import { createContractNoteActivities } from '../../src/activities/contract-note';
import type { ContractNoteOrder } from '../../src/adapters/kite/contract-note';
import { istEpoch } from '../../src/domain/calendar';
import { atmOption } from '../exchange/helpers';
import { failureOf, run, startAdapterEnv } from './helpers';

/**
 * getContractNote through the official client's getvirtualContractNote, and
 * the contractNote activity on top, against the paper exchange dated
 * 2026-12-02 (STT 0.15%, NSE 0.03552% + IPFT 0.00001%).
 */
describe('contract note', () => {
  let env: Awaited<ReturnType<typeof startAdapterEnv>>;
  let orders: ContractNoteOrder[];
  beforeAll(async () => {
    env = await startAdapterEnv({ now: () => istEpoch('2026-12-02', '11:00') });
    const { tradingsymbol } = await atmOption(env.kite);
    const order = (orderId: string, side: 'BUY' | 'SELL', averagePrice: number) => ({
      orderId,
      exchange: 'NFO' as const,
      tradingsymbol,
      transactionType: side,
      product: 'NRML' as const,
      orderType: 'LIMIT' as const,
      quantity: 65,
      averagePrice,
    });
    orders = [order('entry-1', 'BUY', 100), order('exit-1', 'SELL', 120)];
  });
  afterAll(() => env.ex.close());

  it("reads Kite's per-order charges, paired with the orders asked about", async () => {
    const rows = await env.broker.getContractNote(orders);
    expect(rows.map((r) => r.orderId)).toEqual(['entry-1', 'exit-1']);
    // Buy 6,500: exchange 2.30945, SEBI 0.0065, stamp 0.195, GST 18% x 22.3153 = 4.016754.
    expect(rows[0]).toEqual({
      orderId: 'entry-1',
      stt: 0,
      exchange: expect.closeTo(2.30945, 9),
      sebi: expect.closeTo(0.0065, 9),
      brokerage: 20,
      stampDuty: expect.closeTo(0.195, 9),
      gst: expect.closeTo(4.016754, 9),
      total: expect.closeTo(26.527704, 9),
    });
    expect(rows[1].stt).toBeCloseTo(11.7, 9);
  });

  it("adds them up per trade date into our breakdown, as the broker's contract note", async () => {
    const { contractNote } = createContractNoteActivities({ broker: env.broker });
    const result = await run(contractNote, {
      orders: orders.map((o) => ({ ...o, date: '2026-12-02' })),
    });
    // Worked by hand in tests/unit/domain/charges-dated.test.ts for the same rates: 65.11.
    const day = {
      brokerage: 40,
      stt: 11.7,
      exchangeTxn: 5.08,
      ipft: 0,
      sebi: 0.01,
      stampDuty: 0.2,
      gst: 8.12,
      total: 65.11,
    };
    expect(result.total).toEqual({
      ...day,
      rates: 'Kite virtual contract note',
      byDate: [{ date: '2026-12-02', ...day }],
    });
    expect(result.orders.map((o) => [o.orderId, o.date, o.charges.total])).toEqual([
      ['entry-1', '2026-12-02', 26.54],
      ['exit-1', '2026-12-02', 38.58],
    ]);
  });

  it('refuses an order without a price, naming the field, before asking the broker', async () => {
    const { contractNote } = createContractNoteActivities({ broker: env.broker });
    const failure = await failureOf(
      run(contractNote, { orders: [{ ...orders[0], date: '2026-12-02', averagePrice: 0 }] }),
    );
    expect(failure).toMatchObject({ type: 'InvalidRequest', nonRetryable: true });
    expect(failure.message).toContain('contractNote.orders.0.averagePrice');
  });
});
