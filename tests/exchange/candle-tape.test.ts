import path from 'node:path';
import { CandleTape, type TapeEntry } from '../../src/exchange/market/candle-tape';
import { Journal } from '../../src/exchange/store/journal';
import { tempDir } from './helpers';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 21, 16, 30);

describe('candle tape', () => {
  it('keeps only the retained minutes in memory', () => {
    const tape = new CandleTape({ start: T0, retainMs: 10 * MINUTE });
    for (let m = 0; m < 100; m++) tape.record(1, T0 + m * MINUTE + 5_000, 100 + m);
    const kept = tape.candles(1, 0, Infinity);
    expect(kept.map((c) => (c.time - T0) / MINUTE)).toEqual([
      89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99,
    ]);
    expect(tape.since).toBe(T0);
  });

  it('continues a minute cut short by a restart and keeps the first start as the live period', () => {
    const file = path.join(tempDir(), 'candles.jsonl');
    const first = new CandleTape({ start: T0 }, Journal.open<TapeEntry>(file));
    first.record(1, T0 + 1_000, 100);
    first.record(1, T0 + 2_000, 90);
    first.close();
    const second = new CandleTape({ start: T0 + 30_000 }, Journal.open<TapeEntry>(file));
    second.record(1, T0 + 31_000, 120);
    second.record(1, T0 + 50_000, 110);
    second.close();
    const third = new CandleTape({ start: T0 + 5 * MINUTE }, Journal.open<TapeEntry>(file));
    expect(third.since).toBe(T0);
    expect(third.candles(1, 0, Infinity)).toEqual([
      { time: T0, open: 100, high: 120, low: 90, close: 110, volume: 0 },
    ]);
    third.close();
  });
});
