import { istDateOf } from '../domain/calendar';

const IST_OFFSET_MS = 330 * 60_000;

/** Kite's wall-clock format, IST: "2025-11-18 09:15:02". */
export const istTimestamp = (epochMs: number): string =>
  new Date(epochMs + IST_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');

/** "2025-11-18 09:15:00" or "2025-11-18" read as IST. */
export function parseIstTimestamp(text: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (!m) return undefined;
  const [, date, hh = '00', mm = '00', ss = '00'] = m;
  const ms = Date.parse(`${date}T${hh}:${mm}:${ss}Z`) - IST_OFFSET_MS;
  return Number.isNaN(ms) ? undefined : ms;
}

/** Kite's candle timestamp: "2025-11-18T09:15:00+0530". */
export const istCandleTime = (epochMs: number): string =>
  `${istTimestamp(epochMs).replace(' ', 'T')}+0530`;

export { istDateOf };
