import {
  isMarketOpen,
  isMonthlyExpiry,
  isTradingDay,
  istDateOf,
  istEpoch,
  istMinutesOf,
  monthlyExpiries,
  monthlyExpiryOf,
  previousTradingDay,
  weeklyExpiries,
} from '../../../src/domain/calendar';
import { suiteInstant } from '../../harness/clock';

const DAY_MS = 86_400_000;
const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
const TUESDAY = 2;
const tuesdayOnOrAfter = (date: string) => addDays(date, (TUESDAY - weekday(date) + 7) % 7);

/**
 * `expiry` is `tuesday` itself or, when that is no trading day, the last
 * trading day before it: what an NSE expiry is, whatever the holiday list.
 */
const isExpiryFor = (expiry: string, tuesday: string) =>
  isTradingDay(expiry) &&
  expiry <= tuesday &&
  (expiry === tuesday || previousTradingDay(addDays(tuesday, 1)) === expiry);

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
    expect(monthlyExpiries('2026-11-01', 2)).toEqual(['2026-11-23', '2026-12-29']);
    expect(monthlyExpiries('2026-11-24', 1)).toEqual(['2026-12-29']);
    expect(monthlyExpiries('2026-03-01', 1)).toEqual(['2026-03-30']);
    expect(isMonthlyExpiry('2026-11-23')).toBe(true);
    expect(isMonthlyExpiry('2026-11-17')).toBe(false);
  });
});

// The dates CI's fixed-date step runs at (.ci/fixed-dates), each pinned here with what it means.
describe('at the fixed dates', () => {
  it('2026-12-08, a weekly expiry Tuesday: lists its own expiry first, the next one from tomorrow', () => {
    expect(weeklyExpiries('2026-12-08', 2)).toEqual(['2026-12-08', '2026-12-15']);
    expect(weeklyExpiries('2026-12-09', 1)).toEqual(['2026-12-15']);
    expect(isMonthlyExpiry('2026-12-08')).toBe(false);
  });

  it('2026-12-24, the trading day before Christmas: open, with Christmas and the weekend shut', () => {
    expect(isMarketOpen(istEpoch('2026-12-24', '15:29'))).toBe(true);
    expect(isTradingDay('2026-12-25')).toBe(false);
    expect(previousTradingDay('2026-12-28')).toBe('2026-12-24');
    expect(weeklyExpiries('2026-12-24', 1)).toEqual(['2026-12-29']);
  });

  it('2026-12-04 16:10, a Friday after the close: shut until Monday', () => {
    expect(isMarketOpen(istEpoch('2026-12-04', '16:10'))).toBe(false);
    expect(isMarketOpen(istEpoch('2026-12-04', '15:29'))).toBe(true);
    expect(['2026-12-05', '2026-12-06'].map(isTradingDay)).toEqual([false, false]);
  });

  it("2026-12-29, the month's last Tuesday: the monthly expiry and that week's weekly", () => {
    expect(monthlyExpiryOf('2026-12-01')).toBe('2026-12-29');
    expect(isMonthlyExpiry('2026-12-29')).toBe(true);
    expect(weeklyExpiries('2026-12-29', 1)).toEqual(['2026-12-29']);
    expect(monthlyExpiries('2026-12-29', 1)).toEqual(['2026-12-29']);
  });

  it('2026-12-31, going into a year the holiday list may not cover: expiries are January 2027 Tuesdays or the trading days before them', () => {
    const [weekly] = weeklyExpiries('2026-12-31', 1);
    expect(isExpiryFor(weekly, '2027-01-05')).toBe(true);
    const [monthly] = monthlyExpiries('2026-12-31', 1);
    expect(isExpiryFor(monthly, '2027-01-26')).toBe(true);
    expect(isMonthlyExpiry(monthly)).toBe(true);
  });
});

// Runs at the suite's instant, which CI's fixed-date step moves: these hold on any date.
describe('at the suite instant', () => {
  const now = suiteInstant('2026-12-02T11:00:00+05:30');
  const today = istDateOf(now);

  it('lists four weeklies from today, one per consecutive Tuesday, each moved back over holidays', () => {
    const expiries = weeklyExpiries(today, 4);
    const tuesdays = expiries.map(tuesdayOnOrAfter);
    expect(expiries[0] >= today && tuesdays[0] < addDays(today, 14)).toBe(true);
    expect(expiries.every((e, i) => isExpiryFor(e, tuesdays[i]))).toBe(true);
    expect(tuesdays.slice(1)).toEqual(tuesdays.slice(0, -1).map((t) => addDays(t, 7)));
  });

  it("lists three monthlies from today, each its month's last Tuesday moved back over holidays", () => {
    const expiries = monthlyExpiries(today, 3);
    const month = (date: string) => date.slice(0, 7);
    expect(expiries[0] >= today).toBe(true);
    expect(new Set(expiries.map(month)).size).toBe(3);
    for (const e of expiries) {
      const tuesday = tuesdayOnOrAfter(e);
      const last = month(tuesday) === month(e) && month(addDays(tuesday, 7)) !== month(e);
      expect({ e, last, moved: isExpiryFor(e, tuesday) }).toEqual({ e, last: true, moved: true });
    }
  });

  it('opens the market only on trading days between 09:15 and 15:30 IST', () => {
    const minutes = istMinutesOf(now);
    expect(isMarketOpen(now)).toBe(
      isTradingDay(today) && minutes >= 9 * 60 + 15 && minutes < 15 * 60 + 30,
    );
  });
});
