import { istEpoch } from '../../../src/domain/calendar';
import {
  entryBlockReason,
  isSessionOpen,
  isOpenForEntries,
  nextSessionOpen,
  sessionCloseAt,
  squareOffAt,
  type SessionConfig,
} from '../../../src/domain/session';

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
