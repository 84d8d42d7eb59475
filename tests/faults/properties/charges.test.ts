import fc from 'fast-check';
import { chargesFor, type ChargeableFill } from '../../../src/domain/charges';
import { toPaise } from '../../../src/domain/money';
import { netPnl, turnoverPaise } from '../../../src/domain/pnl';
import { chargeRates, hostileFill, realFill } from './arbitraries';

const turnover = (fills: ChargeableFill[], side: ChargeableFill['side']) =>
  turnoverPaise(fills.filter((f) => f.side === side));

/**
 * A component must be its base times its rate, to within the half paisa it
 * is rounded to (`roundings` half paise for one that is a difference of two
 * rounded amounts).
 */
function expectRate(
  componentPaise: number,
  basePaise: number,
  rate: number,
  { roundings = 1, turnoverPaise = basePaise } = {},
) {
  // Rates are applied at 1e-12 precision, which on a large turnover is worth a fraction of a paisa.
  const slack = 0.5 * roundings + turnoverPaise * 1e-12 + 1e-9;
  expect(Math.abs(componentPaise - basePaise * rate)).toBeLessThanOrEqual(slack);
}

describe('charges and P&L under bad input', () => {
  it('never throws; every component is finite and non-negative, whatever the fills', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(realFill, hostileFill), { maxLength: 8 }),
        chargeRates,
        (fills, rates) => {
          for (const v of Object.values(chargesFor(fills, rates))) {
            expect(Number.isFinite(v)).toBe(true);
            expect(v).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('each component matches its configured rate on its turnover, and impossible fills add nothing', () => {
    fc.assert(
      fc.property(
        fc.array(realFill, { maxLength: 6 }),
        fc.array(hostileFill, { maxLength: 3 }),
        chargeRates,
        (fills, junk, rates) => {
          const c = chargesFor([...fills, ...junk], rates);
          const real = chargesFor(fills, rates);
          const [buy, sell] = [turnover(fills, 'BUY'), turnover(fills, 'SELL')];
          const orders = fills.reduce((n, f) => n + f.orders, 0);
          // Junk that is not a fill (NaN, fractional, negative) must not change a thing.
          if (
            junk.every((f) => !(Number.isSafeInteger(f.quantity) && f.quantity > 0 && f.price >= 0))
          ) {
            expect(c).toEqual(real);
          }
          expect(toPaise(real.brokerage)).toBe(orders * toPaise(rates.brokeragePerOrder));
          expectRate(toPaise(real.stt), sell, rates.sttSellRate);
          // The transaction charge is the exchange's line (it with IPFT) less the rounded IPFT.
          expectRate(toPaise(real.exchangeTxn), buy + sell, rates.exchangeTxnRate, {
            roundings: 2,
          });
          expectRate(toPaise(real.ipft), buy + sell, rates.ipftRate);
          expectRate(
            toPaise(real.exchangeTxn) + toPaise(real.ipft),
            buy + sell,
            rates.exchangeTxnRate + rates.ipftRate,
          );
          expectRate(toPaise(real.sebi), buy + sell, rates.sebiRate);
          expectRate(toPaise(real.stampDuty), buy, rates.stampBuyRate);
          // GST is on the unrounded components, as Kite's contract note computes it.
          const gstBase =
            toPaise(real.brokerage) +
            (buy + sell) *
              (rates.exchangeTxnRate + rates.sebiRate + (rates.ipftInGstBase ? rates.ipftRate : 0));
          // Its base is itself made of rates on the turnover, with their precision.
          expectRate(toPaise(real.gst), gstBase, rates.gstRate, {
            turnoverPaise: gstBase + buy + sell,
          });
          const parts = [
            real.brokerage,
            real.stt,
            real.exchangeTxn,
            real.ipft,
            real.sebi,
            real.stampDuty,
            real.gst,
          ];
          expect(toPaise(real.total)).toBe(parts.reduce((s, p) => s + toPaise(p), 0));
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('is monotone in turnover: a higher price or another fill lowers no charge, save the paisa IPFT may take from the transaction charge', () => {
    fc.assert(
      fc.property(
        fc.array(realFill, { minLength: 1, maxLength: 6 }),
        realFill,
        fc.nat(),
        fc.integer({ min: 1, max: 1_000 }),
        chargeRates,
        (fills, extra, which, ticks, rates) => {
          const before = chargesFor(fills, rates);
          const i = which % fills.length;
          const dearer = fills.map((f, j) =>
            j === i ? { ...f, price: (toPaise(f.price) + 5 * ticks) / 100 } : f,
          );
          // The exchange's line (transaction charge with IPFT) is rounded once and IPFT on its
          // own, so the transaction charge is their difference and may give back one paisa
          // that IPFT takes; the line itself never falls.
          const line = (c: typeof before) => toPaise(c.exchangeTxn) + toPaise(c.ipft);
          for (const after of [chargesFor(dearer, rates), chargesFor([...fills, extra], rates)]) {
            for (const key of Object.keys(before) as (keyof typeof before)[]) {
              if (key === 'exchangeTxn')
                expect(toPaise(after[key])).toBeGreaterThanOrEqual(toPaise(before[key]) - 1);
              else expect(after[key]).toBeGreaterThanOrEqual(before[key]);
            }
            expect(line(after)).toBeGreaterThanOrEqual(line(before));
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('net is gross minus charges to the paisa, and gross is exit minus entry turnover when flat', () => {
    const side = (s: 'BUY' | 'SELL') =>
      fc.array(
        realFill.map((f) => ({ ...f, side: s })),
        { minLength: 1, maxLength: 4 },
      );
    fc.assert(
      fc.property(side('BUY'), side('SELL'), chargeRates, (entry, exit, rates) => {
        const charges = chargesFor([...entry, ...exit], rates).total;
        const pnl = netPnl({ entryFills: entry, exitFills: exit, charges });
        expect(toPaise(pnl.net)).toBe(toPaise(pnl.gross) - toPaise(charges));
        expect(toPaise(pnl.charges)).toBe(toPaise(charges));
        const [bought, sold] = [entry, exit].map((fs) => fs.reduce((q, f) => q + f.quantity, 0));
        expect(pnl.openQuantity).toBe(Math.max(0, bought - sold));
        if (bought === sold)
          expect(toPaise(pnl.gross)).toBe(turnoverPaise(exit) - turnoverPaise(entry));
      }),
      { numRuns: 500 },
    );
  });
});
