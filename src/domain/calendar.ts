/**
 * NSE trading calendar in IST. Pure: every function takes the instant or date
 * it reasons about, so workflows can pass workflow time.
 */

/** NSE equity-derivatives trading holidays (weekday closures) for 2025 and 2026. */
export const NSE_HOLIDAYS: readonly string[] = [
  '2025-02-26',
  '2025-03-14',
  '2025-03-31',
  '2025-04-10',
  '2025-04-14',
  '2025-04-18',
  '2025-05-01',
  '2025-08-15',
  '2025-08-27',
  '2025-10-02',
  '2025-10-21',
  '2025-10-22',
  '2025-11-05',
  '2025-12-25',
  '2026-01-15',
  '2026-01-26',
  '2026-03-03',
  '2026-03-26',
  '2026-03-31',
  '2026-04-03',
  '2026-04-14',
  '2026-05-01',
  '2026-05-28',
  '2026-06-26',
  '2026-09-14',
  '2026-10-02',
  '2026-10-20',
  '2026-11-10',
  '2026-11-24',
  '2026-12-25',
];

const HOLIDAYS = new Set(NSE_HOLIDAYS);
const IST_OFFSET_MS = 330 * 60_000;
const DAY_MS = 86_400_000;
const TUESDAY = 2;

export const MARKET_OPEN = '09:15';
export const MARKET_CLOSE = '15:30';

const isoDate = (utcMs: number): string => new Date(utcMs).toISOString().slice(0, 10);
const dateMs = (date: string): number => Date.parse(`${date}T00:00:00Z`);
const addDays = (date: string, days: number): string => isoDate(dateMs(date) + days * DAY_MS);
const weekday = (date: string): number => new Date(dateMs(date)).getUTCDay();

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
  const day = weekday(date);
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

/** An expiry that falls on a holiday moves to the previous trading day. */
const settle = (date: string): string => (isTradingDay(date) ? date : previousTradingDay(date));

/** Weekly expiries on or after `fromDate`: Tuesdays, moved back over holidays. */
export function weeklyExpiries(fromDate: string, count: number): string[] {
  const out: string[] = [];
  let tuesday = addDays(fromDate, (TUESDAY - weekday(fromDate) + 7) % 7);
  while (out.length < count) {
    const expiry = settle(tuesday);
    if (expiry >= fromDate) out.push(expiry);
    tuesday = addDays(tuesday, 7);
  }
  return out;
}

/** The last Tuesday of the month of `date` (any day in the month), moved back over holidays. */
export function monthlyExpiryOf(date: string): string {
  const [y, m] = date.split('-').map(Number);
  const lastDay = isoDate(Date.UTC(y, m, 0));
  return settle(addDays(lastDay, -((weekday(lastDay) - TUESDAY + 7) % 7)));
}

/** Monthly expiries on or after `fromDate`. */
export function monthlyExpiries(fromDate: string, count: number): string[] {
  const out: string[] = [];
  let [y, m] = fromDate.split('-').map(Number);
  while (out.length < count) {
    const expiry = monthlyExpiryOf(`${y}-${String(m).padStart(2, '0')}-01`);
    if (expiry >= fromDate) out.push(expiry);
    [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
  }
  return out;
}

export const isMonthlyExpiry = (date: string): boolean => monthlyExpiryOf(date) === date;
