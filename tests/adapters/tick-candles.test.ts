import { EventEmitter } from 'node:events';
import { TickCandles } from '../../src/adapters/kite/tick-candles';
import { TickHub, type TickSource } from '../../src/adapters/kite/tick-hub';
import { istEpoch } from '../../src/domain/calendar';

const MINUTE = 60_000;
const NIFTY = 256265;
const T0 = istEpoch('2026-11-20', '10:00');

class FakeTicker extends EventEmitter implements TickSource {
  readonly calls: string[] = [];
  connected = true;
  subscribe(tokens: number[]): void {
    this.calls.push(`sub ${tokens.join(',')}`);
  }
  unsubscribe(tokens: number[]): void {
    this.calls.push(`unsub ${tokens.join(',')}`);
  }
  close(): void {}
  tick(token: number, ltp: number, timestamp: number): void {
    this.emit('tick', { token, ltp, timestamp });
  }
}

const setup = () => {
  const ticker = new FakeTicker();
  const hub = new TickHub(ticker);
  return { ticker, hub, candles: new TickCandles(hub, ticker, [NIFTY]) };
};

describe('TickCandles', () => {
  it('builds minute candles from ticks and folds them into longer ones', () => {
    const { ticker, candles } = setup();
    ticker.tick(NIFTY, 100, T0 - 1_000);
    ticker.tick(NIFTY, 101, T0 + 5_000);
    ticker.tick(NIFTY, 99, T0 + 30_000);
    ticker.tick(NIFTY, 100.5, T0 + MINUTE + 1_000);
    ticker.tick(NIFTY, 103, T0 + 2 * MINUTE + 59_999);
    ticker.tick(NIFTY, 90, T0 + 3 * MINUTE);
    ticker.tick(4242, 1, T0 + 5_000);
    expect(candles.candles(NIFTY, MINUTE, T0, T0 + 2 * MINUTE)).toEqual([
      { time: T0, open: 101, high: 101, low: 99, close: 99, volume: 0 },
      { time: T0 + MINUTE, open: 100.5, high: 100.5, low: 100.5, close: 100.5, volume: 0 },
    ]);
    expect(candles.candles(NIFTY, 3 * MINUTE, T0, T0 + 3 * MINUTE)).toEqual([
      { time: T0, open: 101, high: 103, low: 99, close: 103, volume: 0 },
    ]);
  });

  it('answers only for spans it watched from their start, without a disconnect', () => {
    const { ticker, candles } = setup();
    expect(candles.candles(NIFTY, MINUTE, T0, T0 + MINUTE)).toBeUndefined();
    ticker.tick(NIFTY, 100, T0 + 10_000);
    // Subscribed after 10:00 began: its first ten seconds were not seen.
    expect(candles.candles(NIFTY, MINUTE, T0, T0 + MINUTE)).toBeUndefined();
    ticker.tick(NIFTY, 101, T0 + MINUTE + 1);
    expect(candles.candles(NIFTY, MINUTE, T0 + MINUTE, T0 + 2 * MINUTE)).toHaveLength(1);
    ticker.emit('disconnect');
    ticker.tick(NIFTY, 102, T0 + 2 * MINUTE + 5_000);
    expect(candles.candles(NIFTY, MINUTE, T0 + MINUTE, T0 + 2 * MINUTE)).toBeUndefined();
    expect(candles.candles(NIFTY, MINUTE, T0 + 3 * MINUTE, T0 + 4 * MINUTE)).toEqual([]);
  });

  it('shares the index subscription with price triggers without either ending the other', async () => {
    const { ticker, hub, candles } = setup();
    expect(ticker.calls).toEqual([`sub ${NIFTY}`]);
    ticker.tick(NIFTY, 100, T0 - 1);
    const wait = hub.waitForCross([{ token: NIFTY, above: 105 }], {
      signal: new AbortController().signal,
    });
    ticker.tick(NIFTY, 106, T0 + 1_000);
    await expect(wait).resolves.toMatchObject({ price: 106 });
    // The trigger released its reference; the candles still hold theirs.
    expect(ticker.calls).toEqual([`sub ${NIFTY}`]);
    expect(hub.subscribedTokens).toEqual([NIFTY]);
    ticker.tick(NIFTY, 104, T0 + 2_000);
    expect(candles.candles(NIFTY, MINUTE, T0, T0 + MINUTE)).toEqual([
      { time: T0, open: 106, high: 106, low: 104, close: 104, volume: 0 },
    ]);
  });
});
