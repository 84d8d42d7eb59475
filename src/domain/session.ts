import type { Config } from '../config/schema';
import { hhmmToMinutes, istDateOf, istEpoch, istMinutesOf, isTradingDay } from './calendar';
import { holidayCoverage } from './market-facts';

export type SessionConfig = Config['session'];

const DAY_MS = 86_400_000;
/** Longer than any NSE closure (weekend plus the longest holiday run) with room to spare. */
const MAX_CLOSED_DAYS = 14;

const isIstHours = (session: SessionConfig) => session.calendar === 'ist-hours';

function minutesInto(now: number, session: SessionConfig) {
  const minutes = istMinutesOf(now);
  return {
    tradingDay: isTradingDay(istDateOf(now)),
    beforeOpen: minutes < hhmmToMinutes(session.open),
    afterClose: minutes >= hhmmToMinutes(session.close),
    afterEntryCutoff: minutes >= hhmmToMinutes(session.noNewEntriesAfter),
  };
}

/** True while the exchange matches orders. 'always-open' (the paper exchange's 24x7 mode) is always open. */
export function isSessionOpen(now: number, session: SessionConfig): boolean {
  if (!isIstHours(session)) return true;
  const at = minutesInto(now, session);
  return at.tradingDay && !at.beforeOpen && !at.afterClose;
}

/**
 * Why a new position may not be opened at `now`, or undefined when it may.
 * Past the holiday list's known years the calendar cannot tell a holiday
 * from a trading day: refused under `unknownHolidayYears: refuse` (live),
 * allowed under `warn` (paper, where the worker warns at start). Exits are
 * never blocked by it.
 */
export function entryBlockReason(now: number, session: SessionConfig): string | undefined {
  if (!isIstHours(session)) return undefined;
  const at = minutesInto(now, session);
  const date = istDateOf(now);
  const coverage = holidayCoverage(date);
  if (coverage.status !== 'published' && session.unknownHolidayYears === 'refuse') {
    return coverage.message;
  }
  if (!at.tradingDay) return `market closed: ${date} is not an NSE trading day`;
  if (at.beforeOpen) return `market closed: it opens at ${session.open} IST`;
  if (at.afterClose) return `market closed: it closed at ${session.close} IST`;
  if (at.afterEntryCutoff) return `no new entries after ${session.noNewEntriesAfter} IST`;
  return undefined;
}

export const isOpenForEntries = (now: number, session: SessionConfig): boolean =>
  entryBlockReason(now, session) === undefined;

/**
 * When a position opened at `now` must be flat. In 'ist-hours' it is today's
 * square-off (it may already be past, in which case the position is due out
 * at once). In 'always-open' it is the next square-off time after `now`: the
 * paper exchange never closes, but an MIS position is still intraday, and a
 * position opened after today's square-off lives until tomorrow's.
 */
export function squareOffAt(now: number, session: SessionConfig): number {
  const today = istEpoch(istDateOf(now), session.squareOffAt);
  if (isIstHours(session) || today > now) return today;
  return istEpoch(istDateOf(now + DAY_MS), session.squareOffAt);
}

/** The close of the IST day containing `now`; undefined for 'always-open'. */
export function sessionCloseAt(now: number, session: SessionConfig): number | undefined {
  return isIstHours(session) ? istEpoch(istDateOf(now), session.close) : undefined;
}

/** The first instant at or after `now` when the market is open: `now` itself if it is open. */
export function nextSessionOpen(now: number, session: SessionConfig): number {
  if (isSessionOpen(now, session)) return now;
  const today = istDateOf(now);
  const opensToday = istEpoch(today, session.open);
  if (isTradingDay(today) && now < opensToday) return opensToday;
  for (let days = 1; days <= MAX_CLOSED_DAYS; days++) {
    const date = istDateOf(opensToday + days * DAY_MS);
    if (isTradingDay(date)) return istEpoch(date, session.open);
  }
  throw new Error(`no NSE trading day within ${MAX_CLOSED_DAYS} days after ${today}`);
}

/**
 * The runner's window for IST day `day`, as [start, end): market hours on a
 * trading day, the whole IST day for 'always-open', none on a closed day.
 */
export function runnerSessionWindow(
  day: string,
  session: SessionConfig,
): { start: number; end: number } | undefined {
  if (!isIstHours(session)) {
    const start = istEpoch(day, '00:00');
    return { start, end: start + DAY_MS };
  }
  if (!isTradingDay(day)) return undefined;
  return { start: istEpoch(day, session.open), end: istEpoch(day, session.close) };
}
