import { toPaise } from './money';

/**
 * Which prints a stop may fire on. A zero, negative or non-finite price is
 * garbage and never counts. A print far from the last good one (beyond
 * `maxJumpPct` of it, and beyond a small absolute floor so a 0.50 option
 * doubling is not "absurd") is held as a suspect: it counts only once the
 * next prints confirm the new level, so one bad packet can never fire a
 * stop, while a real gap is followed within a few ticks.
 */
export interface TickFilterRules {
  maxJumpPct: number;
  /** Prints at the new level, the suspect included, before it is believed. */
  confirmations?: number;
}

export interface TickFilterState {
  /** Last good price, paise. */
  good?: number;
  suspect?: { paise: number; count: number };
}

export type TickVerdict =
  | { accepted: true; state: TickFilterState }
  | { accepted: false; reason: 'invalid' | 'jump'; state: TickFilterState };

/** Moves smaller than this are never a jump, whatever the percentage: two rupees. */
const MIN_JUMP_PAISE = 200;
const DEFAULT_CONFIRMATIONS = 3;

const far = (from: number, to: number, pct: number) =>
  Math.abs(to - from) > Math.max((from * pct) / 100, MIN_JUMP_PAISE);

export function judgeTick(
  state: TickFilterState,
  ltp: number,
  rules: TickFilterRules,
): TickVerdict {
  if (typeof ltp !== 'number' || !Number.isFinite(ltp) || ltp <= 0)
    return { accepted: false, reason: 'invalid', state };
  const paise = toPaise(ltp);
  if (state.good === undefined || !far(state.good, paise, rules.maxJumpPct))
    return { accepted: true, state: { good: paise } };
  const needed = rules.confirmations ?? DEFAULT_CONFIRMATIONS;
  const suspect =
    state.suspect && !far(state.suspect.paise, paise, rules.maxJumpPct)
      ? { paise, count: state.suspect.count + 1 }
      : { paise, count: 1 };
  if (suspect.count >= needed) return { accepted: true, state: { good: paise } };
  return { accepted: false, reason: 'jump', state: { good: state.good, suspect } };
}
