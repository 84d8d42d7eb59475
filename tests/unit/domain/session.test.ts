import { istDateOf, istEpoch, istMinutesOf, isTradingDay } from '../../../src/domain/calendar';
import {
  entryBlockReason,
  isSessionOpen,
  isOpenForEntries,
  nextSessionOpen,
  runnerSessionWindow,
  sessionCloseAt,
  squareOffAt,
  type SessionConfig,
} from '../../../src/domain/session';
import { suiteInstant } from '../../harness/clock';

const ist: SessionConfig = {
  calendar: 'ist-hours',
  open: '09:15',
  close: '15:30',
  noNewEntriesAfter: '15:00',
  squareOffAt: '15:15',
};
const always: SessionConfig = { ...ist, calendar: 'always-open' };

// 2025-11-18 is a Tuesday; 2025-11-05 (Wednesday) is an NSE holiday.
const at = (date: string, hhmm: string) => istEpoch(date, hhmm);

describe('ist-hours session', () => {
  it('is open for entries from the open until the entry cutoff on trading days', () => {
    expect(isOpenForEntries(at('2025-11-18', '09:14'), ist)).toBe(false);
    expect(isOpenForEntries(at('2025-11-18', '09:15'), ist)).toBe(true);
    expect(isOpenForEntries(at('2025-11-18', '14:59'), ist)).toBe(true);
    expect(isOpenForEntries(at('2025-11-18', '15:00'), ist)).toBe(false);
  });

  it('explains why entries are blocked', () => {
    expect(entryBlockReason(at('2025-11-18', '15:05'), ist)).toBe('no new entries after 15:00 IST');
    expect(entryBlockReason(at('2025-11-18', '08:00'), ist)).toBe(
      'market closed: it opens at 09:15 IST',
    );
    expect(entryBlockReason(at('2025-11-18', '16:00'), ist)).toBe(
      'market closed: it closed at 15:30 IST',
    );
    expect(entryBlockReason(at('2025-11-05', '10:00'), ist)).toBe(
      'market closed: 2025-11-05 is not an NSE trading day',
    );
    expect(entryBlockReason(at('2025-11-16', '10:00'), ist)).toBe(
      'market closed: 2025-11-16 is not an NSE trading day',
    );
  });

  it('keeps the market open for exits after the entry cutoff until the close', () => {
    expect(isSessionOpen(at('2025-11-18', '15:20'), ist)).toBe(true);
    expect(isSessionOpen(at('2025-11-18', '15:30'), ist)).toBe(false);
  });

  it('squares off and closes at the configured IST times of the same day', () => {
    const now = at('2025-11-18', '10:00');
    expect(squareOffAt(now, ist)).toBe(Date.parse('2025-11-18T09:45:00Z'));
    expect(sessionCloseAt(now, ist)).toBe(Date.parse('2025-11-18T10:00:00Z'));
  });

  it('finds the next open across the close, a holiday and a weekend', () => {
    expect(nextSessionOpen(at('2025-11-18', '08:00'), ist)).toBe(at('2025-11-18', '09:15'));
    expect(nextSessionOpen(at('2025-11-18', '11:00'), ist)).toBe(at('2025-11-18', '11:00'));
    expect(nextSessionOpen(at('2025-11-04', '16:00'), ist)).toBe(at('2025-11-06', '09:15'));
    expect(nextSessionOpen(at('2025-11-07', '15:45'), ist)).toBe(at('2025-11-10', '09:15'));
    expect(nextSessionOpen(at('2025-11-08', '09:30'), ist)).toBe(at('2025-11-10', '09:15'));
  });
});

describe('always-open session', () => {
  it('is open at any instant, with no close', () => {
    const sundayNight = at('2025-11-16', '23:00');
    expect(isOpenForEntries(sundayNight, always)).toBe(true);
    expect(isSessionOpen(sundayNight, always)).toBe(true);
    expect(nextSessionOpen(sundayNight, always)).toBe(sundayNight);
    expect(sessionCloseAt(sundayNight, always)).toBeUndefined();
  });

  it('still squares off intraday positions at the next square-off time', () => {
    expect(squareOffAt(at('2025-11-16', '10:00'), always)).toBe(at('2025-11-16', '15:15'));
    expect(squareOffAt(at('2025-11-16', '15:15'), always)).toBe(at('2025-11-17', '15:15'));
    expect(squareOffAt(at('2025-11-16', '23:00'), always)).toBe(at('2025-11-17', '15:15'));
  });
});

const DAY_MS = 86_400_000;
const window = (date: string, open: string, close: string) => ({
  start: at(date, open),
  end: at(date, close),
});
const wholeDay = (date: string) => ({ start: at(date, '00:00'), end: at(date, '00:00') + DAY_MS });

/** The first NSE trading day after `date`, from the calendar's own holiday list. */
function nextTradingDay(date: string): string {
  let next = istDateOf(at(date, '12:00') + DAY_MS);
  while (!isTradingDay(next)) next = istDateOf(at(next, '12:00') + DAY_MS);
  return next;
}

// The dates CI's fixed-date step runs the calendar-sensitive suites at (.ci/fixed-dates), each
// pinned here with what it means.
describe('at the fixed dates', () => {
  it('2026-12-08 10:30, a NIFTY weekly expiry Tuesday: open for entries all morning', () => {
    const now = at('2026-12-08', '10:30');
    expect(entryBlockReason(now, ist)).toBeUndefined();
    expect(nextSessionOpen(now, ist)).toBe(now);
    expect(squareOffAt(now, ist)).toBe(at('2026-12-08', '15:15'));
    expect(squareOffAt(now, always)).toBe(at('2026-12-08', '15:15'));
    expect(runnerSessionWindow('2026-12-08', ist)).toEqual(window('2026-12-08', '09:15', '15:30'));
    expect(runnerSessionWindow('2026-12-08', always)).toEqual(wholeDay('2026-12-08'));
  });

  it('2026-12-24, the trading day before Christmas: past the entry cutoff, then shut until Monday', () => {
    const now = at('2026-12-24', '15:05');
    expect(entryBlockReason(now, ist)).toBe('no new entries after 15:00 IST');
    expect(nextSessionOpen(now, ist)).toBe(now);
    expect(squareOffAt(now, ist)).toBe(at('2026-12-24', '15:15'));
    expect(squareOffAt(now, always)).toBe(at('2026-12-24', '15:15'));
    expect(nextSessionOpen(at('2026-12-24', '15:30'), ist)).toBe(at('2026-12-28', '09:15'));
    expect(entryBlockReason(at('2026-12-25', '10:00'), ist)).toBe(
      'market closed: 2026-12-25 is not an NSE trading day',
    );
    expect(runnerSessionWindow('2026-12-24', ist)).toEqual(window('2026-12-24', '09:15', '15:30'));
    expect(runnerSessionWindow('2026-12-25', ist)).toBeUndefined();
    expect(runnerSessionWindow('2026-12-25', always)).toEqual(wholeDay('2026-12-25'));
  });

  it('2026-12-04 16:10, a Friday after the close: shut until Monday, always-open squares off tomorrow', () => {
    const now = at('2026-12-04', '16:10');
    expect(entryBlockReason(now, ist)).toBe('market closed: it closed at 15:30 IST');
    expect(nextSessionOpen(now, ist)).toBe(at('2026-12-07', '09:15'));
    // Already past: a position still open now is due out at once.
    expect(squareOffAt(now, ist)).toBe(at('2026-12-04', '15:15'));
    expect(squareOffAt(now, always)).toBe(at('2026-12-05', '15:15'));
    expect(runnerSessionWindow('2026-12-05', ist)).toBeUndefined();
    expect(runnerSessionWindow('2026-12-05', always)).toEqual(wholeDay('2026-12-05'));
  });

  it('2026-12-29 15:20, the monthly expiry: open for exits only, square-off already due', () => {
    const now = at('2026-12-29', '15:20');
    expect(entryBlockReason(now, ist)).toBe('no new entries after 15:00 IST');
    expect(isSessionOpen(now, ist)).toBe(true);
    expect(nextSessionOpen(now, ist)).toBe(now);
    expect(squareOffAt(now, ist)).toBe(at('2026-12-29', '15:15'));
    expect(squareOffAt(now, always)).toBe(at('2026-12-30', '15:15'));
    expect(nextSessionOpen(at('2026-12-29', '09:00'), ist)).toBe(at('2026-12-29', '09:15'));
    expect(runnerSessionWindow('2026-12-29', ist)).toEqual(window('2026-12-29', '09:15', '15:30'));
  });

  it('2026-12-31 14:00, into a year the holiday list may not cover: the next open is a 2027 trading day', () => {
    const now = at('2026-12-31', '14:00');
    expect(entryBlockReason(now, ist)).toBeUndefined();
    expect(squareOffAt(now, ist)).toBe(at('2026-12-31', '15:15'));
    expect(squareOffAt(at('2026-12-31', '16:00'), always)).toBe(at('2027-01-01', '15:15'));
    const firstOf2027 = nextTradingDay('2026-12-31');
    expect(firstOf2027).toMatch(/^2027-01-0[1-9]$/);
    expect(nextSessionOpen(at('2026-12-31', '16:00'), ist)).toBe(at(firstOf2027, '09:15'));
    expect(runnerSessionWindow(firstOf2027, ist)).toEqual(window(firstOf2027, '09:15', '15:30'));
    expect(runnerSessionWindow('2027-01-02', ist)).toBeUndefined();
  });
});

// Runs at the suite's instant, which CI's fixed-date step moves: these hold on any date.
describe('at the suite instant', () => {
  const now = suiteInstant('2026-12-02T11:00:00+05:30');
  const today = istDateOf(now);

  it('finds the next open at or after now, with the market shut all the way to it', () => {
    const next = nextSessionOpen(now, ist);
    expect(isSessionOpen(next, ist)).toBe(true);
    expect(next).toBeGreaterThanOrEqual(now);
    for (let t = now; t < next; t += 60_000) expect(isSessionOpen(t, ist)).toBe(false);
    if (next > now) expect(isSessionOpen(next - 1, ist)).toBe(false);
  });

  it('blocks entries exactly when the market is shut or past the entry cutoff', () => {
    const cutoff = at(today, ist.noNewEntriesAfter);
    expect(entryBlockReason(now, ist) === undefined).toBe(isSessionOpen(now, ist) && now < cutoff);
    expect(entryBlockReason(now, always)).toBeUndefined();
  });

  it("squares off at today's time in ist-hours and at the next one within a day in always-open", () => {
    expect(squareOffAt(now, ist)).toBe(at(today, ist.squareOffAt));
    const next = squareOffAt(now, always);
    expect(next).toBeGreaterThan(now);
    expect(next).toBeLessThanOrEqual(now + DAY_MS);
    expect(istMinutesOf(next)).toBe(15 * 60 + 15);
  });

  it("gives the runner today's window, which holds now exactly when the market is open", () => {
    const w = runnerSessionWindow(today, ist);
    expect(w !== undefined && now >= w.start && now < w.end).toBe(isSessionOpen(now, ist));
    expect(w === undefined).toBe(!isTradingDay(today));
    const day = runnerSessionWindow(today, always)!;
    expect(now >= day.start && now < day.end).toBe(true);
  });
});
