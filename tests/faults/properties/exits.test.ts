import fc from 'fast-check';
import type { ExitRules } from '../../../src/domain/exits';
import {
  applyExitModification,
  buildExitPlan,
  onPremium,
  validateExitModification,
  type ExitModification,
  type ExitPlan,
} from '../../../src/domain/exits';
import { isTickMultiple, toPaise } from '../../../src/domain/money';
import {
  anyValue,
  hostileNumber,
  premiumDistance,
  tickPrice,
  trailingRule,
  validSignal,
} from './arbitraries';

/** Any exit rules the config schema admits. */
const rules: fc.Arbitrary<ExitRules> = fc.record(
  {
    stopLoss: premiumDistance,
    target: premiumDistance,
    trailing: trailingRule,
    maxHoldMinutes: fc.integer({ min: 1, max: 10_000 }),
    retryMaxSeconds: fc.integer({ min: 1, max: 3_600 }),
  },
  { requiredKeys: ['stopLoss', 'target', 'maxHoldMinutes', 'retryMaxSeconds'] },
);
/** Average fill prices need not sit on the tick: partial fills at different prices average off it. */
const entryPrice = fc.oneof(
  tickPrice(100_000),
  fc.integer({ min: 1, max: 500_000 }).map((p) => p / 100),
);
/** The square-off is a timer, not a price: any instant serves here. */
const SQUARE_OFF = 6 * 3_600_000;
const plan: fc.Arbitrary<ExitPlan> = fc
  .record({ entryPrice, rules, overrides: validSignal.map((s) => s.exits) })
  .map((p) => buildExitPlan({ ...p, entryAt: 0, squareOffAt: SQUARE_OFF }));
const prices = fc.array(fc.oneof({ weight: 4, arbitrary: tickPrice(200_000) }, hostileNumber), {
  maxLength: 40,
});

const onTick = (p: ExitPlan) => [
  p.stopLoss,
  p.target,
  ...(p.trailing ? [p.trailing.activationPrice, p.trailing.distance, p.trailing.step] : []),
];

describe('exit plan and trailing ratchet under bad input', () => {
  it('every level of a fresh plan is on the 0.05 tick, and the stop at least one tick', () => {
    fc.assert(
      fc.property(plan, (p) => {
        for (const level of onTick(p)) expect(isTickMultiple(level)).toBe(true);
        expect(toPaise(p.stopLoss)).toBeGreaterThanOrEqual(5);
      }),
      { numRuns: 1_000 },
    );
  });

  it('the stop never decreases, moves in whole steps on the tick, and never sits at or above a price it survived', () => {
    fc.assert(
      fc.property(plan, prices, (start, path) => {
        let state = start;
        for (const price of path) {
          const { state: next, exit } = onPremium(state, price);
          expect(toPaise(next.stopLoss)).toBeGreaterThanOrEqual(toPaise(state.stopLoss));
          expect(isTickMultiple(next.stopLoss)).toBe(true);
          if (next.stopLoss !== state.stopLoss) {
            const t = next.trailing!;
            const anchor = toPaise(t.activationPrice) - toPaise(t.distance);
            expect((toPaise(next.stopLoss) - anchor) % toPaise(t.step)).toBe(0);
          }
          if (exit) return;
          if (Number.isFinite(price)) expect(toPaise(next.stopLoss)).toBeLessThan(toPaise(price));
          state = next;
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('an operator change is either refused with reasons naming the field, or leaves a workable plan', () => {
    const field = (valid: fc.Arbitrary<unknown>) =>
      fc.oneof(valid, anyValue, fc.constant(undefined), fc.constant(undefined));
    const mod = fc.record({
      stopLoss: field(tickPrice(100_000)),
      target: field(tickPrice(100_000)),
      trailing: fc.oneof(trailingRule, anyValue, fc.constant(null), fc.constant(undefined)),
    }) as fc.Arbitrary<ExitModification>;
    fc.assert(
      fc.property(plan, fc.oneof(tickPrice(100_000), hostileNumber), mod, (p, current, m) => {
        const verdict = validateExitModification(p, current, m);
        if (!verdict.ok) {
          for (const reason of verdict.reasons) {
            expect(reason).toMatch(/^(stopLoss: |target: |trailing[.:])|^no current premium/);
          }
          return;
        }
        const next = applyExitModification(p, m);
        for (const level of onTick(next)) expect(isTickMultiple(level)).toBe(true);
        expect(toPaise(next.stopLoss)).toBeLessThan(toPaise(next.target));
        if (m.stopLoss !== undefined) expect(toPaise(next.stopLoss)).toBeLessThan(toPaise(current));
        if (m.target !== undefined) expect(toPaise(next.target)).toBeGreaterThan(toPaise(current));
      }),
      { numRuns: 2_000 },
    );
  });

  // Found by the property above: a falsy but non-null trailing passed the
  // validator, then crashed the update handler resolving it into levels.
  it.each([false, 0, ''])('trailing: %j is refused, not applied', (trailing) => {
    const p = buildExitPlan({
      entryPrice: 100,
      entryAt: 0,
      squareOffAt: SQUARE_OFF,
      rules: {
        stopLoss: { pct: 25 },
        target: { pct: 50 },
        maxHoldMinutes: 60,
        retryMaxSeconds: 60,
      },
    });
    const verdict = validateExitModification(p, 100, { trailing } as unknown as ExitModification);
    expect(verdict).toEqual({ ok: false, reasons: [expect.stringMatching(/^trailing: /)] });
  });
});
