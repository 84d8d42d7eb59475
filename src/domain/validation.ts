import type { Config } from '../config/schema';
import { entryBlockReason, type SessionConfig } from './session';
import type { Signal } from './signal';

export type SignalRules = Config['signals'];

/**
 * How far ahead of workflow time a signal's createdAt may be: producers' clocks
 * drift by a second or two, but a signal minutes in the future is a bug.
 */
export const MAX_CLOCK_SKEW_MS = 5_000;

export type SignalVerdict = { ok: true } | { ok: false; reasons: string[] };

/**
 * Business checks on a schema-valid signal at workflow time `now`. Every
 * failing rule is reported, so an operator sees all reasons at once.
 */
export function validateSignal(
  signal: Signal,
  now: number,
  rules: SignalRules,
  session: SessionConfig,
): SignalVerdict {
  const reasons: string[] = [];
  if (signal.strength < rules.minStrength) {
    reasons.push(`strength ${signal.strength} is below the minimum ${rules.minStrength}`);
  }
  if (signal.expectedMovePct < rules.minExpectedMovePct) {
    reasons.push(
      `expected move ${signal.expectedMovePct}% is below the minimum ${rules.minExpectedMovePct}%`,
    );
  }
  const ageMs = now - Date.parse(signal.createdAt);
  if (Number.isNaN(ageMs)) {
    reasons.push(`createdAt ${JSON.stringify(signal.createdAt)} is not a timestamp`);
  } else if (ageMs > rules.maxAgeSeconds * 1000) {
    reasons.push(
      `signal is stale: created ${Math.floor(ageMs / 1000)}s ago, the limit is ${rules.maxAgeSeconds}s`,
    );
  } else if (ageMs < -MAX_CLOCK_SKEW_MS) {
    reasons.push(`createdAt is ${Math.ceil(-ageMs / 1000)}s in the future`);
  }
  const blocked = entryBlockReason(now, session);
  if (blocked) reasons.push(blocked);
  return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
}
