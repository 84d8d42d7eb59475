import fc from 'fast-check';
import type { SizingRule } from '../../../src/config/schema';
import { toPaise } from '../../../src/domain/money';
import {
  MAX_SLICES,
  sizePosition,
  sliceQuantity,
  type SizingInput,
} from '../../../src/domain/sizing';

// NIFTY: lot 65, freeze 1,800, so one order carries at most 27 lots = 1,755.
const nifty = { lotSize: 65, freezeQty: 1800 };
const base: SizingInput = {
  rule: { mode: 'FIXED_LOTS', lots: 1 },
  premium: 100,
  ...nifty,
  capital: 500_000,
  availableMargin: 1_000_000,
  stopDistance: 25,
};

describe('sizePosition', () => {
  it('FIXED_LOTS takes the configured lots', () => {
    expect(sizePosition({ ...base, rule: { mode: 'FIXED_LOTS', lots: 2 } })).toEqual({
      ok: true,
      lots: 2,
      quantity: 130,
      slices: [130],
      marginCapped: false,
    });
  });

  it('slices above the freeze limit into whole-lot orders', () => {
    expect(sizePosition({ ...base, rule: { mode: 'FIXED_LOTS', lots: 30 } })).toMatchObject({
      lots: 30,
      quantity: 1950,
      slices: [1755, 195],
    });
    expect(sizePosition({ ...base, rule: { mode: 'FIXED_LOTS', lots: 54 } })).toMatchObject({
      quantity: 3510,
      slices: [1755, 1755],
    });
  });

  it('RISK floors the lots the stop can lose within the budget', () => {
    // 1% of 500,000 = 5,000; one lot loses 65 x 25 = 1,625 at the stop; 5,000 / 1,625 = 3.07 -> 3.
    expect(sizePosition({ ...base, rule: { mode: 'RISK', riskPerTradePct: 1 } })).toMatchObject({
      ok: true,
      lots: 3,
      quantity: 195,
    });
  });

  it('caps by margin: a buyer pays the premium in full', () => {
    // 15,000 / (100 x 65) = 2.3 -> 2 lots, fewer than the rule's 3.
    expect(
      sizePosition({
        ...base,
        rule: { mode: 'RISK', riskPerTradePct: 1 },
        availableMargin: 15_000,
      }),
    ).toEqual({ ok: true, lots: 2, quantity: 130, slices: [130], marginCapped: true });
  });

  it('rejects when the risk budget or the margin is below one lot', () => {
    // 1% of 100,000 = 1,000 < 1,625 for one lot.
    expect(
      sizePosition({ ...base, rule: { mode: 'RISK', riskPerTradePct: 1 }, capital: 100_000 }),
    ).toEqual({
      ok: false,
      reason: 'RISK_BELOW_ONE_LOT',
      message: "risk budget 1000 (1% of 100000) is less than one lot's loss at the stop (65 x 25)",
    });
    expect(sizePosition({ ...base, availableMargin: 6_499.95 })).toEqual({
      ok: false,
      reason: 'MARGIN_BELOW_ONE_LOT',
      message: 'available margin 6499.95 does not cover one lot (65 x 100)',
    });
  });

  it('rejects impossible inputs with a reason instead of a NaN size', () => {
    expect(sizePosition({ ...base, premium: 0 })).toMatchObject({ reason: 'INVALID_INPUT' });
    expect(sizePosition({ ...base, freezeQty: 50 })).toMatchObject({ reason: 'INVALID_INPUT' });
    expect(
      sizePosition({ ...base, rule: { mode: 'RISK', riskPerTradePct: 1 }, stopDistance: 0 }),
    ).toMatchObject({ reason: 'INVALID_INPUT' });
  });

  it('refuses a size that would need more than MAX_SLICES orders', () => {
    const lots = 27 * MAX_SLICES + 1;
    expect(
      sizePosition({ ...base, premium: 0.05, rule: { mode: 'FIXED_LOTS', lots } }),
    ).toMatchObject({ ok: false, reason: 'TOO_MANY_SLICES' });
  });
});

describe('sliceQuantity', () => {
  it('lays out full slices first, then the remainder', () => {
    expect(sliceQuantity(3600, 65, 1800)).toEqual([1755, 1755, 90]);
    expect(sliceQuantity(60, 30, 900)).toEqual([60]);
  });

  it('sends one order when no lot fits under the limit, and none for nothing', () => {
    expect(sliceQuantity(130, 65, 50)).toEqual([130]);
    expect(sliceQuantity(0, 65, 1800)).toEqual([]);
  });
});

describe('sizePosition properties', () => {
  const rule: fc.Arbitrary<SizingRule> = fc.oneof(
    fc.record({
      mode: fc.constant('FIXED_LOTS' as const),
      lots: fc.integer({ min: -5, max: 2000 }),
    }),
    fc.record({
      mode: fc.constant('RISK' as const),
      riskPerTradePct: fc.double({ min: -1, max: 100 }),
    }),
  );
  const money = fc.oneof(fc.double({ min: 0, max: 1e8, noNaN: true }), fc.double());
  const input = fc.record({
    rule,
    premium: money,
    lotSize: fc.oneof(fc.constantFrom(65, 75, 30, 60), fc.integer({ min: -10, max: 2000 })),
    freezeQty: fc.oneof(fc.constantFrom(1800, 900, 1200), fc.integer({ min: -10, max: 5000 })),
    capital: money,
    availableMargin: money,
    stopDistance: money,
  });

  it('never throws; any size it gives is whole lots, sliced under the freeze, affordable and within risk', () => {
    fc.assert(
      fc.property(input, (i) => {
        const r = sizePosition(i);
        if (!r.ok) {
          expect(r.message.length).toBeGreaterThan(0);
          return;
        }
        expect(r.lots).toBeGreaterThanOrEqual(1);
        expect(r.quantity).toBe(r.lots * i.lotSize);
        expect(r.slices.reduce((a, b) => a + b, 0)).toBe(r.quantity);
        expect(r.slices.length).toBeLessThanOrEqual(MAX_SLICES);
        for (const s of r.slices) {
          expect(s).toBeGreaterThan(0);
          expect(s).toBeLessThanOrEqual(i.freezeQty);
          expect(s % i.lotSize).toBe(0);
        }
        expect(r.quantity * toPaise(i.premium)).toBeLessThanOrEqual(toPaise(i.availableMargin));
        if (i.rule.mode === 'RISK') {
          const lossAtStop = r.quantity * toPaise(i.stopDistance);
          expect(lossAtStop).toBeLessThanOrEqual(
            (toPaise(i.capital) * i.rule.riskPerTradePct) / 100,
          );
        }
      }),
      { numRuns: 1000 },
    );
  });
});
