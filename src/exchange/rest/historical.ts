import { istDateOf, istEpoch, MARKET_OPEN } from '../../domain/calendar';
import { indexTokenOf, UNDERLYING_SPECS } from '../../domain/instruments';
import { roundToTick } from '../../domain/money';
import { aggregateCandles } from '../../domain/strategies/candles';
import { inputError } from '../errors';
import type { CandleTape } from '../market/candle-tape';
import { minuteCandles, type Candle } from '../market/history';
import { isOption, type Instrument } from '../market/instrument';
import { priceOption } from '../market/option-pricer';
import { BASE_VOL } from '../market/spot-process';
import { istCandleTime, parseIstTimestamp } from '../time';

/** Kite's intervals: candle length in minutes and the longest range one request may span. */
const INTERVALS: Record<string, { minutes: number; maxDays: number }> = {
  minute: { minutes: 1, maxDays: 60 },
  '3minute': { minutes: 3, maxDays: 100 },
  '5minute': { minutes: 5, maxDays: 100 },
  '10minute': { minutes: 10, maxDays: 100 },
  '15minute': { minutes: 15, maxDays: 200 },
  '30minute': { minutes: 30, maxDays: 200 },
  '60minute': { minutes: 60, maxDays: 400 },
  day: { minutes: 0, maxDays: 2000 },
};
const MINUTE = 60_000;
const DAY_MS = 86_400_000;

/** An option's candle from the index candle: premiums are monotone in spot, so high/low map to the extremes. */
function optionCandle(i: Instrument, c: Candle): Candle {
  const spec = UNDERLYING_SPECS[i.underlying];
  const terms = { expiry: i.expiry, strike: i.strike, optionType: i.instrumentType as 'CE' | 'PE' };
  const at = (spot: number) => priceOption(spec, terms, spot, BASE_VOL[i.underlying], c.time).ltp;
  const [a, b] = [at(c.high), at(c.low)];
  return { ...c, open: at(c.open), close: at(c.close), high: Math.max(a, b), low: Math.min(a, b) };
}

/**
 * The index's minute candles of one IST day up to `now`: simulated before
 * the live period, then what the market printed (nothing while it was down).
 */
function indexMinutes(q: HistoricalQuery, instrument: Instrument, date: string): Candle[] {
  const simulated = minuteCandles(q.seed, instrument.underlying, date).filter(
    (c) => c.time < q.tape.since && c.time <= q.now,
  );
  const dayStart = istEpoch(date, '00:00');
  const token = indexTokenOf(instrument.underlying);
  return [...simulated, ...q.tape.candles(token, dayStart, Math.min(dayStart + DAY_MS, q.now + 1))];
}

export interface HistoricalQuery {
  instrument: Instrument | undefined;
  interval: string;
  from: string | undefined;
  to: string | undefined;
  oi: boolean;
  seed: number;
  now: number;
  tape: CandleTape;
}

/** GET /instruments/historical/:token/:interval, as Kite's { candles: [[time, o, h, l, c, v(, oi)]] }. */
export function historicalCandles(q: HistoricalQuery): { candles: (string | number)[][] } {
  const spec = INTERVALS[q.interval];
  if (!spec)
    throw inputError(`Invalid \`interval\`: expected one of ${Object.keys(INTERVALS).join(', ')}.`);
  if (!q.instrument) throw inputError('Invalid `instrument_token`.');
  const from = q.from === undefined ? undefined : parseIstTimestamp(q.from);
  const to = q.to === undefined ? undefined : parseIstTimestamp(q.to);
  if (from === undefined || to === undefined)
    throw inputError('Invalid `from` or `to`: expected "YYYY-MM-DD HH:MM:SS".');
  if (to < from) throw inputError('`from` must not be after `to`.');
  if (to - from > spec.maxDays * DAY_MS) {
    throw inputError(`interval exceeds max limit: ${spec.maxDays} days for ${q.interval} candles.`);
  }
  const instrument = q.instrument;
  const last = Math.min(to, q.now);
  const candles: Candle[] = [];
  for (let day = from; istDateOf(day) <= istDateOf(last); day += DAY_MS) {
    const date = istDateOf(day);
    let minutes = indexMinutes(q, instrument, date);
    if (isOption(instrument)) minutes = minutes.map((c) => optionCandle(instrument, c));
    // Intraday candles align to the open, as Kite's do; daily ones carry the date at midnight IST.
    const [size, anchor] = spec.minutes
      ? [spec.minutes * MINUTE, istEpoch(date, MARKET_OPEN)]
      : [DAY_MS, istEpoch(date, '00:00')];
    candles.push(...aggregateCandles(minutes, size, anchor));
  }
  const rows = candles
    .filter((c) => (spec.minutes === 0 ? true : c.time >= from && c.time <= last))
    .map((c) => {
      const row = [
        istCandleTime(c.time),
        roundToTick(c.open),
        roundToTick(c.high),
        roundToTick(c.low),
        roundToTick(c.close),
        c.volume,
      ];
      return q.oi ? [...row, 0] : row;
    });
  return { candles: rows };
}
