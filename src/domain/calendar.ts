import {
  expiryRulesOn,
  NSE_HOLIDAYS_BY_YEAR,
  type ExpiryRule,
  type FactUnderlying,
  type Weekday,
} from './market-facts';

/**
 * NSE trading calendar in IST. Pure: every function takes the instant or date
 * it reasons about, so workflows can pass workflow time. Holidays and expiry
 * weekdays come from the dated table in market-facts.ts.
 */

const HOLIDAYS: ReadonlySet<string> = new Set(NSE_HOLIDAYS_BY_YEAR.flatMap((y) => y.dates));
const IST_OFFSET_MS = 330 * 60_000;
const DAY_MS = 86_400_000;
const WEEKDAY_NUMBERS: Record<Weekday, number> = { MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5 };

export const MARKET_OPEN = '09:15';
export const MARKET_CLOSE = '15:30';

const isoDate = (utcMs: number): string => new Date(utcMs).toISOString().slice(0, 10);
const dateMs = (date: string): number => Date.parse(`${date}T00:00:00Z`);
const addDays = (date: string, days: number): string => isoDate(dateMs(date) + days * DAY_MS);
const dayOfWeek = (date: string): number => new Date(dateMs(date)).getUTCDay();

export const istDateOf = (epochMs: number): string => isoDate(epochMs + IST_OFFSET_MS);

export function istMinutesOf(epochMs: number): number {
  const ist = new Date(epochMs + IST_OFFSET_MS);
  return ist.getUTCHours() * 60 + ist.getUTCMinutes();
}

export function istEpoch(date: string, hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return dateMs(date) + (h * 60 + m) * 60_000 - IST_OFFSET_MS;
}

export const hhmmToMinutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

export function isTradingDay(date: string): boolean {
  const day = dayOfWeek(date);
  return day !== 0 && day !== 6 && !HOLIDAYS.has(date);
}

/** True from 09:15 to 15:30 IST on trading days. */
export function isMarketOpen(epochMs: number): boolean {
  const minutes = istMinutesOf(epochMs);
  return (
    isTradingDay(istDateOf(epochMs)) &&
    minutes >= hhmmToMinutes(MARKET_OPEN) &&
    minutes < hhmmToMinutes(MARKET_CLOSE)
  );
}

export function previousTradingDay(date: string): string {
  let d = addDays(date, -1);
  while (!isTradingDay(d)) d = addDays(d, -1);
  return d;
}

/** An expiry that falls on a holiday moves to the previous trading day (EXPIRY_HOLIDAY_RULE). */
const settle = (date: string): string => (isTradingDay(date) ? date : previousTradingDay(date));

/**
 * Whose expiries: an underlying, whose rule in force on the date asked about
 * applies, or a rule itself. NIFTY by default, the calendar every NSE index
 * follows today.
 */
export type ExpiryCalendar = FactUnderlying | ExpiryRule;

const ruleOf = (calendar: ExpiryCalendar, date: string): ExpiryRule =>
  typeof calendar === 'string' ? expiryRulesOn(calendar, date) : calendar;

const onOrAfter = (date: string, weekday: Weekday): string =>
  addDays(date, (WEEKDAY_NUMBERS[weekday] - dayOfWeek(date) + 7) % 7);

/**
 * Weekly expiries on or after `fromDate` as listed that day, moved back over
 * holidays; fewer than `count` (or none) when the series ends or does not exist.
 */
export function weeklyExpiries(
  fromDate: string,
  count: number,
  calendar: ExpiryCalendar = 'NIFTY',
): string[] {
  const { weekly } = ruleOf(calendar, fromDate);
  if (!weekly) return [];
  const out: string[] = [];
  for (let day = onOrAfter(fromDate, weekly.weekday); out.length < count; day = addDays(day, 7)) {
    const expiry = settle(day);
    if (weekly.lastExpiry !== undefined && expiry > weekly.lastExpiry) break;
    if (expiry >= fromDate) out.push(expiry);
  }
  return out;
}

/**
 * The monthly expiry of the month of `date` (any day in it): its last
 * expiry weekday under the rule in force on `date`, moved back over holidays.
 */
export function monthlyExpiryOf(date: string, calendar: ExpiryCalendar = 'NIFTY'): string {
  const { monthlyWeekday } = ruleOf(calendar, date);
  const [y, m] = date.split('-').map(Number);
  const lastDay = isoDate(Date.UTC(y, m, 0));
  return settle(
    addDays(lastDay, -((dayOfWeek(lastDay) - WEEKDAY_NUMBERS[monthlyWeekday] + 7) % 7)),
  );
}

/** Monthly expiries on or after `fromDate`, as listed that day. */
export function monthlyExpiries(
  fromDate: string,
  count: number,
  calendar: ExpiryCalendar = 'NIFTY',
): string[] {
  const rule = ruleOf(calendar, fromDate);
  const out: string[] = [];
  let [y, m] = fromDate.split('-').map(Number);
  while (out.length < count) {
    const expiry = monthlyExpiryOf(`${y}-${String(m).padStart(2, '0')}-01`, rule);
    if (expiry >= fromDate) out.push(expiry);
    [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
  }
  return out;
}

export const isMonthlyExpiry = (date: string, calendar: ExpiryCalendar = 'NIFTY'): boolean =>
  monthlyExpiryOf(date, calendar) === date;
