import {
  trailingSchema,
  type Config,
  type PremiumDistance,
  type TrailingRule,
} from '../config/schema';
import { fromPaise, isTickMultiple, roundToTick, TICK_SIZE, toPaise } from './money';
import { describeIssues, type ExitLevel, type SignalExits } from './signal';
import type { Direction } from './types';

export type ExitRules = Config['exits'];

/** Trailing stop in absolute premium terms, fixed at entry. */
export interface TrailingLevels {
  /** Premium at which trailing starts. */
  activationPrice: number;
  /** How far below the peak the stop trails. */
  distance: number;
  /** The stop only moves in whole multiples of this. */
  step: number;
}

/** Who last set the stop: decides whether a stop-out is journaled as a stop-loss or a trailing stop. */
export type StopSource = 'INITIAL' | 'TRAILING' | 'MANUAL';

/**
 * Price levels on the option premium. The system only buys options, so the
 * position is always long premium: the stop is below, the target above.
 */
export interface PremiumExits {
  stopLoss: number;
  target: number;
  trailing?: TrailingLevels;
  /** Highest premium seen since the trailing stop activated; absent until then. */
  peak?: number;
  stopSource: StopSource;
}

/** Absolute levels on the underlying index, watched as a second trigger leg on the index token. */
export interface UnderlyingExits {
  stopLoss?: number;
  target?: number;
}

export interface ExitPlan extends PremiumExits {
  entryPrice: number;
  underlying?: UnderlyingExits;
  /** Epoch ms. */
  maxHoldUntil: number;
  /** Epoch ms: the session's square-off, which neither pause nor modification can move. */
  squareOffAt: number;
}

export interface TriggerLevels {
  /** Fire when the price trades at or below this. */
  below?: number;
  /** Fire when the price trades at or above this. */
  above?: number;
}

export type ExitReason =
  | 'STOP_LOSS'
  | 'TRAILING_STOP'
  | 'TARGET'
  | 'UNDERLYING_STOP'
  | 'UNDERLYING_TARGET'
  | 'MAX_HOLD'
  | 'SQUARE_OFF';

const MINUTE_MS = 60_000;

/** A premium distance in rupees: points as given, pct of the entry premium. */
const distanceOf = (d: PremiumDistance | ExitLevel, entryPrice: number): number =>
  d.points ?? (entryPrice * (d.pct ?? 0)) / 100;

/** A distance as a whole number of ticks, at least one, so it can neither vanish nor split a tick. */
const tickDistance = (d: PremiumDistance, entryPrice: number, tick: number): number =>
  Math.max(roundToTick(distanceOf(d, entryPrice), tick), tick);

/** A trailing rule (relative to the entry premium) as absolute levels. */
export const trailingLevels = (
  rule: TrailingRule,
  entryPrice: number,
  tick = TICK_SIZE,
): TrailingLevels => ({
  activationPrice: roundToTick(entryPrice + distanceOf(rule.activation, entryPrice), tick, 'up'),
  distance: tickDistance(rule.distance, entryPrice, tick),
  step: tickDistance(rule.step, entryPrice, tick),
});

export interface ExitPlanInput {
  entryPrice: number;
  /** Epoch ms of the entry fill: the max-hold clock starts here. */
  entryAt: number;
  rules: ExitRules;
  overrides?: SignalExits;
  squareOffAt: number;
  tick?: number;
}

/**
 * The exit plan for a fresh long-premium position. Signal overrides replace
 * the configured rule field by field. A stop or target given as an
 * underlying level adds an index leg but keeps the configured premium level
 * as a backstop, so a stalled index feed never leaves the premium unguarded.
 * Rounding never tightens risk: the stop rounds down, the target up, and the
 * stop never goes below one tick.
 */
export function buildExitPlan(input: ExitPlanInput): ExitPlan {
  const { entryPrice, rules, overrides = {} } = input;
  const tick = input.tick ?? TICK_SIZE;
  const premiumLevel = (override: ExitLevel | undefined, fallback: PremiumDistance) =>
    override && override.underlyingLevel === undefined ? override : fallback;

  const stopDistance = distanceOf(premiumLevel(overrides.stopLoss, rules.stopLoss), entryPrice);
  const targetDistance = distanceOf(premiumLevel(overrides.target, rules.target), entryPrice);
  const trailingRule = overrides.trailing ?? rules.trailing;
  const underlying: UnderlyingExits = {
    stopLoss: overrides.stopLoss?.underlyingLevel,
    target: overrides.target?.underlyingLevel,
  };
  const hasUnderlying = underlying.stopLoss !== undefined || underlying.target !== undefined;

  return {
    entryPrice,
    // A distance under half a paisa vanishes in rounding, and a stop or target
    // at the entry price would fire on the first tick: each stays off the entry.
    stopLoss: Math.max(
      Math.min(
        roundToTick(entryPrice - stopDistance, tick, 'down'),
        roundToTick(roundToTick(entryPrice, tick, 'up') - tick, tick),
      ),
      tick,
    ),
    target: Math.max(
      roundToTick(entryPrice + targetDistance, tick, 'up'),
      roundToTick(roundToTick(entryPrice, tick, 'down') + tick, tick),
    ),
    trailing: trailingRule && trailingLevels(trailingRule, entryPrice, tick),
    stopSource: 'INITIAL',
    ...(hasUnderlying ? { underlying } : {}),
    maxHoldUntil: input.entryAt + (overrides.maxHoldMinutes ?? rules.maxHoldMinutes) * MINUTE_MS,
    squareOffAt: input.squareOffAt,
  };
}

/**
 * Trailing-stop ratchet, all in paise. The stop trails the peak by `distance`
 * on a grid anchored at activation: at activation it is `activation -
 * distance`, and each whole `step` the peak gains above activation lifts it by
 * one `step`. Part-steps move nothing, and the stop never decreases, so the
 * workflow can arm the next grid level as a price trigger and wake once per
 * step rather than once per tick.
 */
function trailGrid(t: TrailingLevels) {
  const activation = toPaise(t.activationPrice);
  const step = toPaise(t.step);
  const anchor = activation - toPaise(t.distance);
  return {
    /** Stop implied by a peak; undefined below activation. */
    stopFor: (peakPaise: number) =>
      peakPaise < activation
        ? undefined
        : anchor + Math.floor((peakPaise - activation) / step) * step,
    /** The lowest peak whose implied stop is above `stopPaise` and that is above `peakPaise`. */
    nextLevelAbove: (stopPaise: number, peakPaise: number | undefined) => {
      const stepsForStop = Math.floor((stopPaise - anchor) / step) + 1;
      const stepsForPeak =
        peakPaise === undefined ? 0 : Math.floor((peakPaise - activation) / step) + 1;
      return activation + Math.max(stepsForStop, stepsForPeak, 0) * step;
    },
  };
}

/** Feeds one observed premium into the trailing stop; returns the state unchanged if nothing moves. */
export function ratchetTrailingStop<S extends PremiumExits>(state: S, price: number): S {
  const t = state.trailing;
  if (!t || !Number.isFinite(price) || toPaise(t.step) <= 0) return state;
  const grid = trailGrid(t);
  const pricePaise = toPaise(price);
  const peakPaise = Math.max(
    pricePaise,
    state.peak === undefined ? pricePaise : toPaise(state.peak),
  );
  const trailed = grid.stopFor(peakPaise);
  if (trailed === undefined) return state;
  const raised = trailed > toPaise(state.stopLoss);
  return {
    ...state,
    peak: fromPaise(peakPaise),
    ...(raised ? { stopLoss: fromPaise(trailed), stopSource: 'TRAILING' as const } : {}),
  };
}

/**
 * The premium trigger to arm next: below at the stop, above at the nearer of
 * the target and the next level that would move the trailing stop (or its
 * activation, while inactive).
 */
export function nextTriggerLevels(state: PremiumExits): { below: number; above: number } {
  const t = state.trailing;
  if (!t || toPaise(t.step) <= 0) return { below: state.stopLoss, above: state.target };
  const next = trailGrid(t).nextLevelAbove(
    toPaise(state.stopLoss),
    state.peak === undefined ? undefined : toPaise(state.peak),
  );
  return { below: state.stopLoss, above: Math.min(state.target, fromPaise(next)) };
}

/**
 * One premium observation through the state machine: the exit it causes, if
 * any, and the (possibly ratcheted) state. Target is checked first because a
 * price at the target is a win however the stop has moved.
 */
export function onPremium<S extends PremiumExits>(
  state: S,
  price: number,
): { state: S; exit?: ExitReason } {
  if (toPaise(price) >= toPaise(state.target)) return { state, exit: 'TARGET' };
  const next = ratchetTrailingStop(state, price);
  if (toPaise(price) <= toPaise(next.stopLoss)) {
    return { state: next, exit: next.stopSource === 'TRAILING' ? 'TRAILING_STOP' : 'STOP_LOSS' };
  }
  return { state: next };
}

/**
 * The index leg's trigger. A call loses when the index falls, so its stop is
 * below and target above; a put is the mirror image.
 */
export function underlyingTriggerLevels(
  direction: Direction,
  levels: UnderlyingExits,
): TriggerLevels {
  const [below, above] =
    direction === 'LONG' ? [levels.stopLoss, levels.target] : [levels.target, levels.stopLoss];
  return { ...(below !== undefined ? { below } : {}), ...(above !== undefined ? { above } : {}) };
}

/** The exit an index price causes, if any. */
export function onUnderlying(
  direction: Direction,
  levels: UnderlyingExits,
  indexPrice: number,
): ExitReason | undefined {
  const { below, above } = underlyingTriggerLevels(direction, levels);
  const price = toPaise(indexPrice);
  const hitBelow = below !== undefined && price <= toPaise(below);
  const hitAbove = above !== undefined && price >= toPaise(above);
  if (!hitBelow && !hitAbove) return undefined;
  // Which side is the stop flips with direction.
  const stopHit = direction === 'LONG' ? hitBelow : hitAbove;
  return stopHit ? 'UNDERLYING_STOP' : 'UNDERLYING_TARGET';
}

/** The earlier of max-hold and square-off: the one timer the workflow needs. */
export function nextTimeExit(plan: ExitPlan): { at: number; reason: ExitReason } {
  return plan.squareOffAt <= plan.maxHoldUntil
    ? { at: plan.squareOffAt, reason: 'SQUARE_OFF' }
    : { at: plan.maxHoldUntil, reason: 'MAX_HOLD' };
}

/**
 * An operator's change to a live position's exits: absolute premium levels,
 * and a trailing rule in the config's terms (relative to the entry premium);
 * `trailing: null` removes the trailing stop.
 */
export interface ExitModification {
  stopLoss?: number;
  target?: number;
  trailing?: TrailingRule | null;
}

export type ModificationVerdict = { ok: true } | { ok: false; reasons: string[] };

/** `value` comes from an operator's update, so it may be anything JSON can carry. */
function priceProblem(name: string, value: unknown, tick: number): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    return `${name}: expected a positive price, got ${JSON.stringify(value) ?? typeof value}`;
  }
  if (!isTickMultiple(value, tick)) {
    return `${name}: ${value} is not a multiple of the ${tick} tick`;
  }
  return undefined;
}

/**
 * Rejects levels that cannot work: a stop at or above the current premium
 * or a target at or below it would fire at once, which is what forceExit is
 * for. Without a current premium (`undefined`), only what can be judged
 * without the market is checked: prices, the trailing rule, stop below target.
 */
export function validateExitModification(
  plan: PremiumExits,
  currentPremium: number | undefined,
  mod: ExitModification,
  tick = TICK_SIZE,
): ModificationVerdict {
  if (currentPremium !== undefined && !(Number.isFinite(currentPremium) && currentPremium > 0)) {
    return {
      ok: false,
      reasons: [`no current premium to check levels against (${currentPremium})`],
    };
  }
  const reasons: string[] = [];
  const valid = (name: string, value: unknown): value is number => {
    if (value === undefined) return false;
    const problem = priceProblem(name, value, tick);
    if (problem) reasons.push(problem);
    return problem === undefined;
  };
  if (currentPremium !== undefined) {
    const current = toPaise(currentPremium);
    if (valid('stopLoss', mod.stopLoss) && toPaise(mod.stopLoss) >= current) {
      reasons.push(`stopLoss: ${mod.stopLoss} must be below the current premium ${currentPremium}`);
    }
    if (valid('target', mod.target) && toPaise(mod.target) <= current) {
      reasons.push(`target: ${mod.target} must be above the current premium ${currentPremium}`);
    }
  } else {
    valid('stopLoss', mod.stopLoss);
    valid('target', mod.target);
  }
  // Only null removes the trailing stop; any other value, falsy or not, must be a rule.
  if (mod.trailing !== undefined && mod.trailing !== null) {
    const parsed = trailingSchema.safeParse(mod.trailing);
    if (!parsed.success) reasons.push(...describeIssues(parsed.error, mod.trailing, 'trailing'));
  }
  const stop = mod.stopLoss ?? plan.stopLoss;
  const target = mod.target ?? plan.target;
  if (reasons.length === 0 && toPaise(stop) >= toPaise(target)) {
    reasons.push(`stopLoss: ${stop} must be below target ${target}`);
  }
  return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
}

/**
 * Applies a validated modification. A new trailing rule is resolved against
 * the entry premium, as at entry, and restarts from its own activation: the
 * old peak was measured against different levels.
 */
export function applyExitModification<S extends PremiumExits & { entryPrice: number }>(
  state: S,
  mod: ExitModification,
  tick = TICK_SIZE,
): S {
  const next: S = { ...state };
  if (mod.stopLoss !== undefined) {
    next.stopLoss = mod.stopLoss;
    next.stopSource = 'MANUAL';
  }
  if (mod.target !== undefined) next.target = mod.target;
  if (mod.trailing !== undefined) {
    delete next.peak;
    if (mod.trailing === null) delete next.trailing;
    else next.trailing = trailingLevels(mod.trailing, state.entryPrice, tick);
  }
  return next;
}
