import { z } from 'zod';
import { istTimestamp } from '../../src/domain/strategies/candles';

/**
 * When a calendar-sensitive suite runs. Such a suite names its own default
 * instant; CI's fixed-date step (.ci/fixed-dates) runs it again at other
 * instants through TRADER_TEST_NOW. A test that means one particular date
 * pins that date itself and never reads this.
 */
export const TEST_NOW_ENV = 'TRADER_TEST_NOW';

const instant = z.iso.datetime({ offset: true });

/** The suite's instant: TRADER_TEST_NOW when set and not empty, else `fallback` (ISO with a zone). */
export function suiteInstant(fallback: string, env: NodeJS.ProcessEnv = process.env): number {
  const set = env[TEST_NOW_ENV];
  const [source, text] = set ? [TEST_NOW_ENV, set] : ['the default', fallback];
  if (!instant.safeParse(text).success) {
    throw new Error(
      `${source}: expected an ISO timestamp with a zone such as 2026-12-08T10:30:00+05:30, got "${text}"`,
    );
  }
  return Date.parse(text);
}

/**
 * A clock that reads `start` when made and then runs at wall speed: prices
 * keep moving and time only goes forward, but the day and hour are `start`'s.
 */
export function clockFrom(start: number): () => number {
  const origin = performance.now();
  return () => start + Math.floor(performance.now() - origin);
}

/**
 * An HH:MM (IST) for the paper exchange's session end (`exchange.tokenExpiry`)
 * twelve hours after `now`. Kite's 06:00 puts a token from a login between
 * 05:30 and 06:00 in its last half hour (TOKEN_EXPIRING) and ends it minutes
 * later, so a test that logs in and means a fresh session passes only outside
 * that window of the wall clock; with this end no hour of the day is in it.
 */
export const sessionEndAwayFrom = (now: number): string =>
  istTimestamp(now + 12 * 3_600_000).slice(11, 16);
