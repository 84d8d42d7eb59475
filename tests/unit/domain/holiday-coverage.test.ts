import { istEpoch } from '../../../src/domain/calendar';
import { entryBlockReason, isSessionOpen, type SessionConfig } from '../../../src/domain/session';
import { validateSignal } from '../../../src/domain/validation';

const ist: SessionConfig = {
  calendar: 'ist-hours',
  open: '09:15',
  close: '15:30',
  noNewEntriesAfter: '15:00',
  squareOffAt: '15:15',
};
const live: SessionConfig = { ...ist, unknownHolidayYears: 'refuse' };
const paper: SessionConfig = { ...ist, unknownHolidayYears: 'warn' };

// Tuesdays at 10:00 IST: inside the session on any year's list.
const in2026 = istEpoch('2026-12-08', '10:00');
const in2027 = istEpoch('2027-01-05', '10:00');
const in2028 = istEpoch('2028-01-04', '10:00');

describe('entries on a day the holiday list does not cover', () => {
  it('live refuses a year with no list, naming the year and where to add it', () => {
    expect(entryBlockReason(in2028, live)).toBe(
      'no NSE holiday list for 2028: add it to src/domain/market-facts.ts',
    );
  });

  it('live refuses a provisional year too: its lunar holidays are not known', () => {
    expect(entryBlockReason(in2027, live)).toMatch(
      /^the NSE holiday list for 2027 is provisional .*add the published list to src\/domain\/market-facts\.ts$/,
    );
  });

  it('paper goes on past the list, as does a session config from before the setting', () => {
    for (const session of [paper, ist]) {
      expect(entryBlockReason(in2027, session)).toBeUndefined();
      expect(entryBlockReason(in2028, session)).toBeUndefined();
    }
  });

  it('a covered year is unaffected in either mode', () => {
    expect(entryBlockReason(in2026, live)).toBeUndefined();
    expect(entryBlockReason(istEpoch('2026-12-25', '10:00'), live)).toBe(
      'market closed: 2026-12-25 is not an NSE trading day',
    );
  });

  it('always-open never consults the list', () => {
    expect(entryBlockReason(in2028, { ...live, calendar: 'always-open' })).toBeUndefined();
  });

  it('blocks only entries: the session stays open for exits', () => {
    expect(isSessionOpen(in2028, live)).toBe(true);
  });

  it('is among the reasons a signal is refused', () => {
    const verdict = validateSignal(
      {
        id: 's1',
        underlying: 'NIFTY',
        direction: 'LONG',
        strategy: 'test',
        strength: 6,
        expectedMovePct: 0.3,
        createdAt: new Date(in2028 - 1000).toISOString(),
      },
      in2028,
      { minStrength: 5, minExpectedMovePct: 0.2, maxAgeSeconds: 120 },
      live,
    );
    expect(verdict).toEqual({
      ok: false,
      reasons: ['no NSE holiday list for 2028: add it to src/domain/market-facts.ts'],
    });
  });
});
