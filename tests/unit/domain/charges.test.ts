import fc from 'fast-check';
import { chargesFor, type ChargeableFill, type ChargeRates } from '../../../src/domain/charges';
import { chargeRatesOn } from '../../../src/domain/market-facts';
import { toPaise } from '../../../src/domain/money';

// Zerodha F&O options from 2024-10-01 to 2026-02-28 (src/domain/market-facts.ts).
const rates: ChargeRates = {
  brokeragePerOrder: 20,
  sttSellRate: 0.001,
  sttExerciseRate: 0.00125,
  exchangeTxnRate: 0.0003503,
  ipftRate: 0.000005,
  sebiRate: 0.000001,
  stampBuyRate: 0.00003,
  gstRate: 0.18,
  ipftInGstBase: false,
};

it('the rates here are the dated table on 2025-11-18', () => {
  expect(chargeRatesOn('2025-11-18')).toEqual(rates);
});

describe('chargesFor', () => {
  it('prices a one-lot NIFTY round trip', () => {
    // Buy 65 @ 100 (turnover 6,500), sell 65 @ 120 (7,800); 14,300 in all.
    //   brokerage 2 x 20                        = 40.00
    //   STT       7,800 x 0.1%                  =  7.80
    //   exchange  14,300 x 0.03503% = 5.00929   ->  5.01
    //   IPFT      14,300 x 0.0005%  = 0.0715    ->  0.07
    //   SEBI      14,300 x 10 / 1e7 = 0.0143    ->  0.01
    //   stamp     6,500 x 0.003%    = 0.195     ->  0.20 (half a paisa rounds up)
    //   GST       18% x (40 + 5.00929 + 0.0143) = 8.1042462 -> 8.10 (IPFT outside the base)
    //   total                                  = 61.19
    const fills: ChargeableFill[] = [
      { side: 'BUY', quantity: 65, price: 100, orders: 1 },
      { side: 'SELL', quantity: 65, price: 120, orders: 1 },
    ];
    expect(chargesFor(fills, rates)).toEqual({
      brokerage: 40,
      stt: 7.8,
      exchangeTxn: 5.01,
      ipft: 0.07,
      sebi: 0.01,
      stampDuty: 0.2,
      gst: 8.1,
      total: 61.19,
    });
  });

  it('charges brokerage per executed slice and sums turnover across fills', () => {
    // 30 lots (1,950) bought in two slices @ 80.35, sold in two @ 92.10.
    //   buy 156,682.50, sell 179,595.00, total 336,277.50
    //   brokerage 4 x 20 = 80; STT 179.595 -> 179.60; exchange 117.79800825 -> 117.80
    //   IPFT 1.6813875 -> 1.68; SEBI 0.3362775 -> 0.34; stamp 4.700475 -> 4.70
    //   GST 18% x (80 + 117.79800825 + 0.3362775) = 35.664171 -> 35.66: on the
    //   unrounded components, as Kite computes it (on the rounded ones: 35.67)
    const fills: ChargeableFill[] = [
      { side: 'BUY', quantity: 1755, price: 80.35, orders: 1 },
      { side: 'BUY', quantity: 195, price: 80.35, orders: 1 },
      { side: 'SELL', quantity: 1755, price: 92.1, orders: 1 },
      { side: 'SELL', quantity: 195, price: 92.1, orders: 1 },
    ];
    expect(chargesFor(fills, rates)).toEqual({
      brokerage: 80,
      stt: 179.6,
      exchangeTxn: 117.8,
      ipft: 1.68,
      sebi: 0.34,
      stampDuty: 4.7,
      gst: 35.66,
      total: 419.78,
    });
  });

  it('charges an entry alone no STT and an exit alone no stamp duty', () => {
    const buy = chargesFor([{ side: 'BUY', quantity: 65, price: 100, orders: 1 }], rates);
    expect(buy.stt).toBe(0);
    expect(buy.stampDuty).toBe(0.2);
    const sell = chargesFor([{ side: 'SELL', quantity: 65, price: 100, orders: 1 }], rates);
    expect(sell.stampDuty).toBe(0);
    expect(sell.stt).toBe(6.5);
  });

  it('is zero for no fills', () => {
    expect(chargesFor([], rates).total).toBe(0);
  });
});

describe('chargesFor properties', () => {
  const realisticFill = fc.record({
    side: fc.constantFrom<'BUY' | 'SELL'>('BUY', 'SELL'),
    quantity: fc.integer({ min: 1, max: 40 }).map((lots) => lots * 65),
    price: fc.integer({ min: 1, max: 20_000 }).map((ticks) => ticks * 0.05),
    orders: fc.integer({ min: 1, max: 5 }),
  });
  const anyFill = fc.record({
    side: fc.constantFrom<'BUY' | 'SELL'>('BUY', 'SELL'),
    quantity: fc.oneof(fc.integer(), fc.double()),
    price: fc.double(),
    orders: fc.oneof(fc.integer(), fc.double()),
  });

  it('never throws and never yields a negative or non-finite component', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(realisticFill, anyFill), { maxLength: 8 }), (fills) => {
        const c = chargesFor(fills, rates);
        for (const v of Object.values(c)) {
          expect(Number.isFinite(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('totals exactly to the paisa, and only grows when a fill is added', () => {
    fc.assert(
      fc.property(fc.array(realisticFill, { maxLength: 6 }), realisticFill, (fills, extra) => {
        const c = chargesFor(fills, rates);
        const parts = [c.brokerage, c.stt, c.exchangeTxn, c.ipft, c.sebi, c.stampDuty, c.gst];
        expect(toPaise(c.total)).toBe(parts.reduce((s, p) => s + toPaise(p), 0));
        for (const v of Object.values(c)) expect(Number.isInteger(toPaise(v))).toBe(true);
        expect(chargesFor([...fills, extra], rates).total).toBeGreaterThanOrEqual(c.total);
      }),
    );
  });
});
