import { istDateOf, monthlyExpiries, weeklyExpiries } from '../../../src/domain/calendar';
import { chooseExpiry } from '../../../src/domain/expiry';
import { suiteInstant } from '../../harness/clock';

const expiries = ['2025-11-25', '2025-11-18', '2025-12-02', '2025-11-18', '2025-11-11'];

describe('chooseExpiry', () => {
  it('takes the nearest expiry on or after today, whatever the listing order', () => {
    expect(chooseExpiry(expiries, '2025-11-13', 'NEXT_WEEK')).toBe('2025-11-18');
    expect(chooseExpiry(expiries, '2025-11-13', 'SAME_DAY')).toBe('2025-11-18');
  });

  it('on expiry day keeps it for SAME_DAY and rolls to the next for NEXT_WEEK', () => {
    expect(chooseExpiry(expiries, '2025-11-18', 'SAME_DAY')).toBe('2025-11-18');
    expect(chooseExpiry(expiries, '2025-11-18', 'NEXT_WEEK')).toBe('2025-11-25');
  });

  it('is undefined when nothing is left to trade', () => {
    expect(chooseExpiry(expiries, '2025-12-03', 'SAME_DAY')).toBeUndefined();
    expect(chooseExpiry(['2025-12-02'], '2025-12-02', 'NEXT_WEEK')).toBeUndefined();
    expect(chooseExpiry([], '2025-12-02', 'SAME_DAY')).toBeUndefined();
  });
});

/** What the dump lists on `today`: NIFTY's four weeklies and three monthlies, or the monthlies only. */
const listed = (today: string, weeklies: boolean) => [
  ...(weeklies ? weeklyExpiries(today, 4) : []),
  ...monthlyExpiries(today, 3),
];

// The dates CI's fixed-date step runs at (.ci/fixed-dates), each pinned here with what it means.
describe('chooseExpiry at the fixed dates', () => {
  it('2026-12-08, a weekly expiry: SAME_DAY trades it, NEXT_WEEK the one a week later', () => {
    expect(chooseExpiry(listed('2026-12-08', true), '2026-12-08', 'SAME_DAY')).toBe('2026-12-08');
    expect(chooseExpiry(listed('2026-12-08', true), '2026-12-08', 'NEXT_WEEK')).toBe('2026-12-15');
    // A monthly-only index has nothing expiring today: both rules take the month's expiry.
    expect(chooseExpiry(listed('2026-12-08', false), '2026-12-08', 'NEXT_WEEK')).toBe('2026-12-29');
  });

  it('2026-12-24 and 2026-12-04: the coming Tuesday, whatever the rule', () => {
    for (const rule of ['SAME_DAY', 'NEXT_WEEK'] as const) {
      expect(chooseExpiry(listed('2026-12-24', true), '2026-12-24', rule)).toBe('2026-12-29');
      expect(chooseExpiry(listed('2026-12-04', true), '2026-12-04', rule)).toBe('2026-12-08');
    }
  });

  it('2026-12-29, the monthly expiry: NEXT_WEEK rolls a monthly-only index into January 2027', () => {
    expect(chooseExpiry(listed('2026-12-29', false), '2026-12-29', 'SAME_DAY')).toBe('2026-12-29');
    const rolled = chooseExpiry(listed('2026-12-29', false), '2026-12-29', 'NEXT_WEEK');
    expect(rolled).toBe(monthlyExpiries('2027-01-01', 1)[0]);
    expect(rolled).toMatch(/^2027-01-/);
  });

  it('2026-12-31: the first expiry of 2027, for weekly and monthly-only indices alike', () => {
    const weekly = chooseExpiry(listed('2026-12-31', true), '2026-12-31', 'NEXT_WEEK');
    expect(weekly).toBe(weeklyExpiries('2027-01-01', 1)[0]);
    expect(weekly! <= '2027-01-05').toBe(true);
    const monthly = chooseExpiry(listed('2026-12-31', false), '2026-12-31', 'NEXT_WEEK');
    expect(monthly).toBe(monthlyExpiries('2027-01-01', 1)[0]);
  });
});

// Runs at the suite's instant, which CI's fixed-date step moves: these hold on any date.
describe('chooseExpiry at the suite instant', () => {
  const today = istDateOf(suiteInstant('2026-12-02T11:00:00+05:30'));

  it.each([true, false])('picks a listed expiry on or after today (weeklies: %s)', (weeklies) => {
    const expiries = listed(today, weeklies);
    const nearest = [...expiries].sort()[0];
    expect(chooseExpiry(expiries, today, 'SAME_DAY')).toBe(nearest);
    const rolled = chooseExpiry(expiries, today, 'NEXT_WEEK')!;
    expect(expiries).toContain(rolled);
    expect(rolled > today).toBe(true);
    expect(rolled === nearest).toBe(nearest !== today);
  });
});
