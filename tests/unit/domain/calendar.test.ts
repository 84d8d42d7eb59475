import {
  isMarketOpen,
  isMonthlyExpiry,
  isTradingDay,
  istDateOf,
  istEpoch,
  istMinutesOf,
  monthlyExpiries,
  weeklyExpiries,
} from '../../../src/domain/calendar';

describe('NSE calendar', () => {
  it('converts between epoch and IST', () => {
    const t = Date.parse('2026-11-17T03:45:00Z');
    expect(istEpoch('2026-11-17', '09:15')).toBe(t);
    expect(istDateOf(t)).toBe('2026-11-17');
    expect(istMinutesOf(t)).toBe(9 * 60 + 15);
    expect(istDateOf(Date.parse('2026-11-17T19:00:00Z'))).toBe('2026-11-18');
  });

  it('knows weekends and holidays', () => {
    expect(isTradingDay('2026-11-17')).toBe(true);
    expect(isTradingDay('2026-11-21')).toBe(false);
    expect(isTradingDay('2026-11-24')).toBe(false);
    expect(isMarketOpen(istEpoch('2026-11-17', '09:14'))).toBe(false);
    expect(isMarketOpen(istEpoch('2026-11-17', '09:15'))).toBe(true);
    expect(isMarketOpen(istEpoch('2026-11-17', '15:30'))).toBe(false);
  });

  it('lists Tuesday weeklies, moved back over holidays', () => {
    expect(weeklyExpiries('2026-11-18', 3)).toEqual(['2026-11-23', '2026-12-01', '2026-12-08']);
    // On expiry day itself the day's contract is still listed.
    expect(weeklyExpiries('2026-12-01', 1)).toEqual(['2026-12-01']);
    expect(weeklyExpiries('2026-03-02', 2)).toEqual(['2026-03-02', '2026-03-10']);
  });

  it('lists last-Tuesday monthlies, moved back over holidays', () => {
    expect(monthlyExpiries('2026-11-01', 3)).toEqual(['2026-11-23', '2026-12-29', '2027-01-26']);
    expect(monthlyExpiries('2026-11-24', 1)).toEqual(['2026-12-29']);
    expect(monthlyExpiries('2026-03-01', 1)).toEqual(['2026-03-30']);
    expect(isMonthlyExpiry('2026-11-23')).toBe(true);
    expect(isMonthlyExpiry('2026-11-17')).toBe(false);
  });
});
