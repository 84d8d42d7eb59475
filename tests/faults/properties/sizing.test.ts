import fc from 'fast-check';
import type { SizingRule } from '../../../src/config/schema';
import { toPaise } from '../../../src/domain/money';
import { MAX_SLICES, sizePosition, sliceQuantity } from '../../../src/domain/sizing';
import { hostileNumber, positive } from './arbitraries';

const notANumber = fc.constantFrom(NaN, Infinity, -Infinity, 0, -1);
const rule: fc.Arbitrary<SizingRule> = fc.oneof(
  fc.record({
    mode: fc.constant('FIXED_LOTS' as const),
    lots: fc.oneof(fc.integer({ min: 1, max: 5_000 }), hostileNumber),
  }),
  fc.record({
    mode: fc.constant('RISK' as const),
    // The schema caps the percent at 100; what can still arrive broken is a non-number.
    riskPerTradePct: fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), notANumber),
  }),
);
/** Realistic most of the time, anything at all the rest. */
const realOr = (real: fc.Arbitrary<number>) =>
  fc.oneof({ weight: 3, arbitrary: real }, { weight: 1, arbitrary: hostileNumber });
const input = fc.record({
  rule,
  premium: realOr(fc.double({ min: 0.05, max: 5_000, noNaN: true })),
  lotSize: realOr(fc.constantFrom(15, 30, 65, 75)),
  // Freeze limits come from the instrument list: whole units, or missing and so not a number.
  freezeQty: fc.oneof(fc.integer({ min: 1, max: 100_000 }), notANumber),
  capital: realOr(positive),
  availableMargin: realOr(positive),
  stopDistance: realOr(fc.double({ min: 0.05, max: 1_000, noNaN: true })),
});

describe('sizing under bad input', () => {
  it('an order it sizes is whole lots within the margin and the risk budget, in freeze-sized slices', () => {
    fc.assert(
      fc.property(input, (i) => {
        const r = sizePosition(i);
        if (!r.ok) {
          expect(r.message.length).toBeGreaterThan(0);
          return;
        }
        // What reaches the broker: a safe whole number of units, a whole number of lots.
        expect(Number.isSafeInteger(r.quantity)).toBe(true);
        expect(r.lots).toBeGreaterThanOrEqual(1);
        expect(r.quantity).toBe(r.lots * i.lotSize);
        expect(r.quantity * toPaise(i.premium)).toBeLessThanOrEqual(toPaise(i.availableMargin));
        if (i.rule.mode === 'FIXED_LOTS') expect(r.lots).toBeLessThanOrEqual(i.rule.lots);
        else {
          const budget = (toPaise(i.capital) * i.rule.riskPerTradePct) / 100;
          expect(r.quantity * toPaise(i.stopDistance)).toBeLessThanOrEqual(budget);
        }
        expect(r.slices).toEqual(sliceQuantity(r.quantity, i.lotSize, i.freezeQty));
        expect(r.slices.length).toBeLessThanOrEqual(MAX_SLICES);
      }),
      { numRuns: 2_000 },
    );
  });

  it('slices are whole lots no larger than the freeze limit, full ones first, summing to the quantity', () => {
    const case_ = fc
      .record({
        lotSize: fc.integer({ min: 1, max: 2_000 }),
        lots: fc.integer({ min: 0, max: 500 }),
      })
      .chain(({ lotSize, lots }) =>
        fc
          .integer({ min: lotSize, max: 50 * lotSize })
          .map((freezeQty) => ({ lotSize, freezeQty, quantity: lots * lotSize })),
      );
    fc.assert(
      fc.property(case_, ({ quantity, lotSize, freezeQty }) => {
        const slices = sliceQuantity(quantity, lotSize, freezeQty);
        expect(slices.reduce((a, b) => a + b, 0)).toBe(quantity);
        for (const [i, s] of slices.entries()) {
          expect(s % lotSize).toBe(0);
          expect(s).toBeGreaterThan(0);
          expect(s).toBeLessThanOrEqual(freezeQty);
          if (i < slices.length - 1) expect(freezeQty - s).toBeLessThan(lotSize);
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
