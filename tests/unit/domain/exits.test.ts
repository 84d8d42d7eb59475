import fc from 'fast-check';
import {
  applyExitModification,
  buildExitPlan,
  nextTimeExit,
  nextTriggerLevels,
  onPremium,
  onUnderlying,
  ratchetTrailingStop,
  underlyingTriggerLevels,
  validateExitModification,
  type ExitPlan,
  type ExitRules,
  type PremiumExits,
} from '../../../src/domain/exits';
import { isTickMultiple, toPaise } from '../../../src/domain/money';

// config/default.yaml exits.
const rules: ExitRules = {
  stopLoss: { pct: 25 },
  target: { pct: 50 },
  trailing: { activation: { pct: 20 }, distance: { pct: 15 }, step: { pct: 5 } },
  maxHoldMinutes: 120,
  retryMaxSeconds: 60,
};
const ENTRY_AT = Date.parse('2025-11-18T04:00:00Z'); // 09:30 IST
const SQUARE_OFF = Date.parse('2025-11-18T09:45:00Z'); // 15:15 IST

const planAt = (entryPrice: number, extra: Partial<Parameters<typeof buildExitPlan>[0]> = {}) =>
  buildExitPlan({ entryPrice, entryAt: ENTRY_AT, rules, squareOffAt: SQUARE_OFF, ...extra });

describe('buildExitPlan', () => {
  it('turns percentages of the entry premium into tick-rounded levels', () => {
    expect(planAt(100)).toEqual({
      entryPrice: 100,
      stopLoss: 75,
      target: 150,
      trailing: { activationPrice: 120, distance: 15, step: 5 },
      stopSource: 'INITIAL',
      maxHoldUntil: ENTRY_AT + 120 * 60_000,
      squareOffAt: SQUARE_OFF,
    });
  });

  it('rounds the stop down and the target up, never tightening risk', () => {
    // 123.45: stop 92.5875 -> 92.55, target 185.175 -> 185.20, activation 148.14 -> 148.15,
    // distance 18.5175 -> 18.50, step 6.1725 -> 6.15.
    expect(planAt(123.45)).toMatchObject({
      stopLoss: 92.55,
      target: 185.2,
      trailing: { activationPrice: 148.15, distance: 18.5, step: 6.15 },
    });
  });

  it('applies signal overrides field by field', () => {
    const plan = planAt(100, {
      overrides: {
        stopLoss: { points: 12 },
        trailing: { activation: { points: 10 }, distance: { points: 8 }, step: { points: 2 } },
        maxHoldMinutes: 30,
      },
    });
    expect(plan).toMatchObject({
      stopLoss: 88,
      target: 150,
      trailing: { activationPrice: 110, distance: 8, step: 2 },
      maxHoldUntil: ENTRY_AT + 30 * 60_000,
    });
  });

  it('adds an index leg for underlying levels and keeps the premium levels as a backstop', () => {
    const plan = planAt(100, {
      overrides: { stopLoss: { underlyingLevel: 23400 }, target: { underlyingLevel: 23700 } },
    });
    expect(plan).toMatchObject({
      stopLoss: 75,
      target: 150,
      underlying: { stopLoss: 23400, target: 23700 },
    });
  });

  it('keeps the stop at least one tick when the distance exceeds the premium', () => {
    expect(planAt(4, { overrides: { stopLoss: { points: 10 } } }).stopLoss).toBe(0.05);
  });

  it('keeps stop and target off the entry when their distance rounds to nothing', () => {
    const plan = planAt(100, {
      overrides: { stopLoss: { pct: 0.001 }, target: { pct: 0.001 } },
    });
    expect([plan.stopLoss, plan.target]).toEqual([99.95, 100.05]);
    const offTick = planAt(100.02, {
      overrides: { stopLoss: { points: 0.001 }, target: { points: 0.001 } },
    });
    expect([offTick.stopLoss, offTick.target]).toEqual([100, 100.05]);
  });
});

describe('nextTimeExit', () => {
  it('is the earlier of max-hold and square-off', () => {
    expect(nextTimeExit(planAt(100))).toEqual({ at: ENTRY_AT + 7_200_000, reason: 'MAX_HOLD' });
    const late = planAt(100, { entryAt: Date.parse('2025-11-18T08:30:00Z') }); // 14:00 IST
    expect(nextTimeExit(late)).toEqual({ at: SQUARE_OFF, reason: 'SQUARE_OFF' });
  });
});

describe('trailing stop', () => {
  // Entry 100: activation 120, distance 15, step 5, so the trail is anchored at 105.
  const plan = planAt(100);

  it('arms activation first, then one trigger per whole step', () => {
    expect(nextTriggerLevels(plan)).toEqual({ below: 75, above: 120 });

    const below = ratchetTrailingStop(plan, 119.95);
    expect(below).toBe(plan);

    const active = ratchetTrailingStop(plan, 121);
    expect(active).toMatchObject({ stopLoss: 105, peak: 121, stopSource: 'TRAILING' });
    expect(nextTriggerLevels(active)).toEqual({ below: 105, above: 125 });

    const partStep = ratchetTrailingStop(active, 124.95);
    expect(partStep.stopLoss).toBe(105);

    // A gap through two steps moves the stop two steps: peak 133 -> 105 + 2 x 5.
    const gapped = ratchetTrailingStop(active, 133);
    expect(gapped).toMatchObject({ stopLoss: 115, peak: 133 });
    expect(nextTriggerLevels(gapped)).toEqual({ below: 115, above: 135 });

    const dipped = ratchetTrailingStop(gapped, 128);
    expect(dipped).toMatchObject({ stopLoss: 115, peak: 133 });
  });

  it('arms the target when it is nearer than the next ratchet', () => {
    const nearTarget = ratchetTrailingStop(plan, 147);
    expect(nearTarget.stopLoss).toBe(130);
    expect(nextTriggerLevels(nearTarget)).toEqual({ below: 130, above: 150 });
  });

  it('never lowers a stop that is already above the trail, and skips levels that would not move it', () => {
    const raised = applyExitModification(plan, { stopLoss: 112 });
    // The trail reaches 115 only at a peak of 130, so that is the next useful trigger.
    expect(nextTriggerLevels(raised)).toEqual({ below: 112, above: 130 });
    expect(ratchetTrailingStop(raised, 126)).toMatchObject({ stopLoss: 112, stopSource: 'MANUAL' });
    expect(ratchetTrailingStop(raised, 130)).toMatchObject({
      stopLoss: 115,
      stopSource: 'TRAILING',
    });
  });

  it('without a trailing rule the trigger is just stop and target', () => {
    const plain = buildExitPlan({
      entryPrice: 100,
      entryAt: ENTRY_AT,
      squareOffAt: SQUARE_OFF,
      rules: { ...rules, trailing: undefined },
    });
    expect(nextTriggerLevels(plain)).toEqual({ below: 75, above: 150 });
    expect(ratchetTrailingStop(plain, 140)).toBe(plain);
  });
});

describe('onPremium', () => {
  const plan = planAt(100);

  it('exits at the target, the initial stop or the trailed stop', () => {
    expect(onPremium(plan, 150).exit).toBe('TARGET');
    expect(onPremium(plan, 75).exit).toBe('STOP_LOSS');
    expect(onPremium(plan, 90).exit).toBeUndefined();
    const trailed = ratchetTrailingStop(plan, 133);
    expect(onPremium(trailed, 115)).toMatchObject({ exit: 'TRAILING_STOP' });
  });
});

describe('underlying levels', () => {
  it('puts a call stop below the index and its target above; a put the other way', () => {
    expect(underlyingTriggerLevels('LONG', { stopLoss: 23400, target: 23700 })).toEqual({
      below: 23400,
      above: 23700,
    });
    expect(underlyingTriggerLevels('SHORT', { stopLoss: 23700, target: 23400 })).toEqual({
      below: 23400,
      above: 23700,
    });
    expect(underlyingTriggerLevels('SHORT', { stopLoss: 23700 })).toEqual({ above: 23700 });
  });

  it('names the exit an index price causes', () => {
    const call = { stopLoss: 23400, target: 23700 };
    expect(onUnderlying('LONG', call, 23399.95)).toBe('UNDERLYING_STOP');
    expect(onUnderlying('LONG', call, 23700)).toBe('UNDERLYING_TARGET');
    expect(onUnderlying('LONG', call, 23500)).toBeUndefined();
    const put = { stopLoss: 23700, target: 23400 };
    expect(onUnderlying('SHORT', put, 23710)).toBe('UNDERLYING_STOP');
    expect(onUnderlying('SHORT', put, 23400)).toBe('UNDERLYING_TARGET');
  });
});

describe('exit modification', () => {
  const plan = planAt(100);

  it('accepts levels on the right side of the current premium', () => {
    expect(validateExitModification(plan, 110, { stopLoss: 100, target: 140 })).toEqual({
      ok: true,
    });
  });

  it('rejects impossible levels with a reason for each', () => {
    expect(validateExitModification(plan, 110, { stopLoss: 112, target: 105.03 })).toEqual({
      ok: false,
      reasons: [
        'stopLoss: 112 must be below the current premium 110',
        'target: 105.03 is not a multiple of the 0.05 tick',
      ],
    });
    expect(validateExitModification(plan, 110, { stopLoss: -5, target: 110 })).toEqual({
      ok: false,
      reasons: [
        'stopLoss: expected a positive price, got -5',
        'target: 110 must be above the current premium 110',
      ],
    });
    expect(
      validateExitModification(plan, 110, {
        trailing: {
          activation: { points: 5 },
          distance: { points: -1 },
          step: { pct: 2, points: 1 },
        },
      }),
    ).toEqual({
      ok: false,
      reasons: [
        'trailing.distance.points: expected a positive number, got -1',
        'trailing.step: expected exactly one of points or pct, got {"pct":2,"points":1}',
      ],
    });
  });

  it('applies a new trailing rule against the entry premium and restarts it', () => {
    const trailed = ratchetTrailingStop(plan, 133);
    const next = applyExitModification(trailed, {
      trailing: { activation: { points: 10 }, distance: { points: 5 }, step: { points: 1 } },
    });
    expect(next.trailing).toEqual({ activationPrice: 110, distance: 5, step: 1 });
    expect(next.peak).toBeUndefined();
    expect(next.stopLoss).toBe(115);
    expect(applyExitModification(plan, { trailing: null }).trailing).toBeUndefined();
  });
});

describe('trailing ratchet properties', () => {
  const tick = (max: number) => fc.integer({ min: 1, max }).map((t) => t * 0.05);
  const plans = fc
    .record({
      entry: tick(10_000),
      stopPct: fc.integer({ min: 1, max: 90 }),
      activation: tick(500),
      distance: tick(500),
      step: tick(200),
    })
    .map(({ entry, stopPct, activation, distance, step }): ExitPlan =>
      buildExitPlan({
        entryPrice: entry,
        entryAt: 0,
        squareOffAt: 86_400_000,
        rules: {
          stopLoss: { pct: stopPct },
          target: { pct: 1000 },
          trailing: {
            activation: { points: activation },
            distance: { points: distance },
            step: { points: step },
          },
          maxHoldMinutes: 60,
          retryMaxSeconds: 60,
        },
      }),
    );
  const path = fc.array(
    fc.integer({ min: 1, max: 400_000 }).map((t) => t * 0.05),
    { maxLength: 60 },
  );

  it('the stop never decreases, moves only in whole steps, and stays below the peak by the distance', () => {
    fc.assert(
      fc.property(plans, path, (plan, prices) => {
        let state: PremiumExits = plan;
        const t = plan.trailing!;
        const anchor = toPaise(t.activationPrice) - toPaise(t.distance);
        for (const price of prices) {
          const next = ratchetTrailingStop(state, price);
          expect(toPaise(next.stopLoss)).toBeGreaterThanOrEqual(toPaise(state.stopLoss));
          if (next.stopLoss !== state.stopLoss) {
            expect((toPaise(next.stopLoss) - anchor) % toPaise(t.step)).toBe(0);
            expect(toPaise(next.stopLoss)).toBeLessThanOrEqual(
              toPaise(next.peak!) - toPaise(t.distance),
            );
            expect(isTickMultiple(next.stopLoss)).toBe(true);
          }
          state = next;
        }
      }),
    );
  });

  it('waking only when the armed trigger fires gives the same stop as watching every tick', () => {
    fc.assert(
      fc.property(plans, path, (plan, prices) => {
        let everyTick: PremiumExits = plan;
        let triggered: PremiumExits = plan;
        let wakeUps = 0;
        for (const price of prices) {
          everyTick = ratchetTrailingStop(everyTick, price);
          const { above } = nextTriggerLevels(triggered);
          if (toPaise(price) >= toPaise(above)) {
            triggered = ratchetTrailingStop(triggered, price);
            wakeUps += 1;
          }
        }
        expect(triggered.stopLoss).toBe(everyTick.stopLoss);
        expect(wakeUps).toBeLessThanOrEqual(prices.length);
      }),
    );
  });

  it('short of the target, the next upper trigger is above the peak, so arming it never fires at once', () => {
    fc.assert(
      fc.property(plans, path, (plan, prices) => {
        const state = prices.reduce<PremiumExits>((s, p) => ratchetTrailingStop(s, p), plan);
        const { above, below } = nextTriggerLevels(state);
        // A peak at the target has already exited; below it the trigger must lie ahead.
        if (state.peak !== undefined && toPaise(state.peak) < toPaise(state.target)) {
          expect(toPaise(above)).toBeGreaterThan(toPaise(state.peak));
        }
        expect(below).toBe(state.stopLoss);
      }),
    );
  });

  it('never throws on any number', () => {
    fc.assert(
      fc.property(plans, fc.array(fc.double(), { maxLength: 20 }), (plan, prices) => {
        const state = prices.reduce<PremiumExits>((s, p) => onPremium(s, p).state, plan);
        expect(Number.isFinite(state.stopLoss)).toBe(true);
      }),
    );
  });
});
