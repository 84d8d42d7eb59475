import { istEpoch } from '../../../src/domain/calendar';
import {
  aggregateCandles,
  candleStart,
  formingCandle,
  nextCandleClose,
  withPrint,
  type Candle,
} from '../../../src/domain/strategies';
import { MinuteCandles } from '../../../src/domain/strategies/candles-recorder';

const MINUTE = 60_000;
const OPEN = istEpoch('2026-11-20', '09:15');
const minute = (m: number, open: number, high: number, low: number, close: number): Candle => ({
  time: OPEN + m * MINUTE,
  open,
  high,
  low,
  close,
  volume: 1,
});

describe('candle arithmetic', () => {
  it('aligns candles to the anchor, before it as after it', () => {
    expect(candleStart(OPEN + 7 * MINUTE, OPEN, 5 * MINUTE)).toBe(OPEN + 5 * MINUTE);
    expect(candleStart(OPEN - 1, OPEN, 5 * MINUTE)).toBe(OPEN - 5 * MINUTE);
    expect(nextCandleClose(OPEN + 5 * MINUTE, OPEN, 5 * MINUTE)).toBe(OPEN + 10 * MINUTE);
    expect(nextCandleClose(OPEN + 5 * MINUTE - 1, OPEN, 5 * MINUTE)).toBe(OPEN + 5 * MINUTE);
  });

  it('folds prints into a candle', () => {
    const prints = [100, 104, 97, 101];
    const candle = prints.reduce<Candle | undefined>((c, p) => withPrint(c, OPEN, p, 2), undefined);
    expect(candle).toEqual({ time: OPEN, open: 100, high: 104, low: 97, close: 101, volume: 8 });
  });

  it('aggregates by alignment, so a gap shortens one candle and shifts none', () => {
    const minutes = [
      minute(0, 10, 12, 9, 11),
      minute(1, 11, 15, 10, 14),
      // minute 2 missing: nothing printed
      minute(3, 14, 14, 8, 9),
      minute(4, 9, 10, 9, 10),
    ];
    expect(aggregateCandles(minutes, 3 * MINUTE, OPEN)).toEqual([
      { time: OPEN, open: 10, high: 15, low: 9, close: 14, volume: 2 },
      { time: OPEN + 3 * MINUTE, open: 14, high: 14, low: 8, close: 10, volume: 2 },
    ]);
    // Same-minute pieces (a minute continued after a restart) merge into one.
    expect(
      aggregateCandles([minute(0, 10, 11, 9, 10), minute(0, 10, 13, 10, 12)], MINUTE, 0),
    ).toEqual([{ time: OPEN, open: 10, high: 13, low: 9, close: 12, volume: 2 }]);
  });

  it('brings the forming candle up to the live price, or opens one at it', () => {
    const partial = minute(1, 10, 12, 9, 11);
    expect(formingCandle([partial], partial.time, 13)).toEqual({ ...partial, high: 13, close: 13 });
    expect(formingCandle([partial], OPEN, 8)).toEqual({
      time: OPEN,
      open: 8,
      high: 8,
      low: 8,
      close: 8,
      volume: 0,
    });
  });
});

describe('MinuteCandles', () => {
  it('folds prints per minute, reports the minute each new one finishes, and keeps a bounded window', () => {
    const minutes = new MinuteCandles(2 * MINUTE);
    expect(minutes.add(1, OPEN + 1_000, 10)).toEqual({});
    expect(minutes.add(1, OPEN + 2_000, 12)).toEqual({});
    expect(minutes.add(1, OPEN + MINUTE, 11)).toEqual({
      finished: { time: OPEN, open: 10, high: 12, low: 10, close: 12, volume: 0 },
    });
    // A clock that stepped back cannot rewrite a minute already left.
    expect(minutes.add(1, OPEN + 3_000, 1)).toEqual({});
    minutes.add(1, OPEN + 3 * MINUTE, 13);
    expect(minutes.between(1, 0, Infinity).map((c) => c.time)).toEqual([
      OPEN + MINUTE,
      OPEN + 3 * MINUTE,
    ]);
    expect(minutes.between(1, OPEN + MINUTE, OPEN + 3 * MINUTE)).toHaveLength(1);
    expect(minutes.last(1)?.close).toBe(13);
    expect(minutes.last(2)).toBeUndefined();
  });
});
