/**
 * Kite speaks IST wall-clock strings ("2025-11-18 10:15:00") and kiteconnect
 * turns some of them into Dates in the process's local zone; these helpers
 * keep every instant as epoch ms regardless of the host's TZ.
 */
const IST_OFFSET_MS = 330 * 60_000;

/** "YYYY-MM-DD HH:MM:SS" in IST. */
export const toKiteDateTime = (epochMs: number): string =>
  new Date(epochMs + IST_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');

const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

/** Epoch ms of a Kite timestamp; undefined when absent or unparseable. */
export function fromKiteTime(value: unknown): number | undefined {
  if (value instanceof Date) {
    // kiteconnect built this Date from an IST wall-clock string in local time: read the wall clock back.
    const wall = Date.UTC(
      value.getFullYear(),
      value.getMonth(),
      value.getDate(),
      value.getHours(),
      value.getMinutes(),
      value.getSeconds(),
    );
    return Number.isNaN(wall) ? undefined : wall - IST_OFFSET_MS;
  }
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.length === 0) return undefined;
  const m = WALL_CLOCK.exec(value);
  if (m) return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) - IST_OFFSET_MS;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}
