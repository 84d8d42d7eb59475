import fc from 'fast-check';
import { contractNoteBreakdown, type OrderCharges } from '../../src/adapters/kite/contract-note';
import { chargesFor, unroundedChargesFor, type ChargeableFill } from '../../src/domain/charges';
import { chargeRatesOn } from '../../src/domain/market-facts';

/** One order's charges as Kite's virtual contract note states them, from the unrounded domain figures. */
function kiteRow(fill: ChargeableFill, date: string, orderId = 'x'): OrderCharges {
  const c = unroundedChargesFor([fill], chargeRatesOn(date));
  const exchange = c.exchangeTxn + c.ipft;
  return {
    orderId,
    stt: c.stt,
    exchange,
    sebi: c.sebi,
    brokerage: c.brokerage,
    stampDuty: c.stampDuty,
    gst: c.gst,
    total: c.brokerage + c.stt + exchange + c.sebi + c.stampDuty + c.gst,
  };
}

describe("the exchange line of a contract note (Kite's exchange_turnover_charge)", () => {
  it('rounds the transaction charge and IPFT together, as the contract note prints them', () => {
    // 2025-11-18: buy 65 @ 100.25 = 6,516.25 of premium. Transaction 0.03503% = 2.282642375,
    // IPFT 0.0005% = 0.03258125; together 2.315223625 -> 2.32. Rounded apart they would be
    // 2.28 + 0.03 = 2.31, a paisa short of the broker's line.
    const c = chargesFor(
      [{ side: 'BUY', quantity: 65, price: 100.25, orders: 1 }],
      chargeRatesOn('2025-11-18'),
    );
    expect({ exchangeTxn: c.exchangeTxn, ipft: c.ipft }).toEqual({ exchangeTxn: 2.29, ipft: 0.03 });
  });

  it("gives Kite's unrounded figures for the mock's NFO row", () => {
    // kiteconnect-mocks virtual_contract_note.json: BUY NIFTY2371317900PE 100 @ 1.5 (July 2023):
    // exchange_turnover_charge 0.07575, sebi 0.00015, brokerage 20, gst 3.613527.
    const july2023 = { ...chargeRatesOn('2024-01-01'), exchangeTxnRate: 0.0005, stampBuyRate: 0 };
    const c = unroundedChargesFor(
      [{ side: 'BUY', quantity: 100, price: 1.5, orders: 1 }],
      july2023,
    );
    expect(c.exchangeTxn + c.ipft).toBeCloseTo(0.07575, 12);
    expect(c.sebi).toBeCloseTo(0.00015, 12);
    expect(c.brokerage).toBe(20);
    expect(c.gst).toBeCloseTo(3.613527, 12);
  });
});

describe("a day's orders through Kite's per-order charges", () => {
  const fill = fc.record({
    side: fc.constantFrom<'BUY' | 'SELL'>('BUY', 'SELL'),
    quantity: fc.integer({ min: 1, max: 27 }).map((lots) => lots * 65),
    price: fc.integer({ min: 1, max: 20_000 }).map((ticks) => Math.round(ticks * 5) / 100),
    orders: fc.constant(1),
  });
  const date = fc.constantFrom('2024-09-30', '2025-11-18', '2026-03-02', '2026-12-02');

  it('add up, component by component, to our contract-note figures to the paisa', () => {
    fc.assert(
      fc.property(fc.array(fill, { minLength: 1, maxLength: 8 }), date, (fills, day) => {
        const ours = chargesFor(fills, chargeRatesOn(day));
        const broker = contractNoteBreakdown(fills.map((f) => kiteRow(f, day)));
        expect(broker).toEqual({
          ...ours,
          exchangeTxn: Math.round((ours.exchangeTxn + ours.ipft) * 100) / 100,
          ipft: 0,
        });
      }),
      { numRuns: 500 },
    );
  });

  it('rounds an exact half paisa up although the float of it sits below', () => {
    // STT on 65 sold @ 94 is 6,110 x 0.15% = 9.165 exactly; 9.165 x 100 is 916.4999... in doubles.
    const rows = [kiteRow({ side: 'SELL', quantity: 65, price: 94, orders: 1 }, '2026-12-02')];
    expect(rows[0].stt).toBe(9.165);
    expect(Math.round(rows[0].stt * 100)).toBe(916);
    expect(contractNoteBreakdown(rows).stt).toBe(9.17);
  });
});
