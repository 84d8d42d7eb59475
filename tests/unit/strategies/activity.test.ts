import { MockActivityEnvironment } from '@temporalio/testing';
import type { KiteBroker } from '../../../src/adapters/kite/client';
import {
  createStrategyActivities,
  type CandleSource,
  type EvaluateInput,
  type Evaluation,
  type TickCandleSource,
} from '../../../src/activities/strategy';
import { loadConfig } from '../../../src/config';
import { istEpoch } from '../../../src/domain/calendar';
import { candlesFrom, RSI_LONG_PATH } from './paths';

const MINUTE = 60_000;
const config = loadConfig({ env: {} });
// 09:31 IST: the RSI path's last candle is 09:30-09:31.
const asOf = istEpoch('2026-01-14', '09:31');
const history = candlesFrom(RSI_LONG_PATH).map((c, i) => ({
  ...c,
  time: asOf - (RSI_LONG_PATH.length - i) * MINUTE,
}));

/** A broker that only answers the two calls the strategy activity makes, and records them. */
function fakeBroker(candles: typeof history) {
  const calls: unknown[][] = [];
  const broker = {
    async getHistoricalCandles(...args: unknown[]) {
      calls.push(args);
      return candles;
    },
    async getLtp(keys: readonly string[]) {
      return new Map(keys.map((k) => [k, 107.25]));
    },
  } as unknown as KiteBroker;
  return { broker, calls };
}

const input: EvaluateInput = { underlying: 'NIFTY', intervalMs: MINUTE, asOf };

const evaluate = (broker: KiteBroker): Promise<Evaluation> =>
  new MockActivityEnvironment().run(
    createStrategyActivities({ broker, config }).evaluateStrategies,
    input,
  );

describe('evaluateStrategies over the broker', () => {
  it('asks for the index token in minute candles and stamps signals with the candle close', async () => {
    const { broker, calls } = fakeBroker(history);
    const result = await evaluate(broker);
    expect(calls[0].slice(0, 2)).toEqual([256265, 'minute']);
    expect(calls[0][3]).toBe(asOf);
    const rsi = result.signals.find((s) => s.strategy === 'rsiReversal');
    expect(rsi).toMatchObject({
      id: 'rsiReversal-NIFTY-2026-01-14T09:31:00',
      direction: 'LONG',
      referencePrice: 107,
      createdAt: new Date(asOf).toISOString(),
    });
    expect(result.forming).toMatchObject({ time: asOf, close: 107.25 });
    // A retry sees the same candles and yields the same ids.
    expect((await evaluate(broker)).signals).toEqual(result.signals);
  });

  it('evaluates nothing while the candle closing at asOf is not published yet', async () => {
    const { broker } = fakeBroker(history.slice(0, -1));
    const result = await evaluate(broker);
    expect(result.signals).toEqual([]);
    expect(result.skipped).toBe(
      'no candle closing at 2026-01-14T09:31:00 IST yet; newest closed 2026-01-14T09:30:00',
    );
  });

  it('never evaluates the forming candle the broker includes', async () => {
    const forming = { time: asOf, open: 107, high: 107, low: 1, close: 1, volume: 1 };
    const { broker } = fakeBroker([...history, forming]);
    const result = await evaluate(broker);
    expect(result.signals.map((s) => s.strategy)).toContain('rsiReversal');
    expect(result.forming).toMatchObject({ low: 1, close: 107.25 });
  });
});

describe('evaluateStrategies when the broker lags', () => {
  /** A broker whose history stops one candle short of asOf, as Kite's does for a few seconds. */
  const lagging: CandleSource = {
    async candles() {
      return history.slice(0, -1);
    },
    async lastPrice() {
      return 107.25;
    },
  };
  const closing = history[history.length - 1];
  /** A tick builder that watched from `watchedFrom`, holding the candle the broker has not published. */
  const builder = (watchedFrom: number) => {
    const asked: number[][] = [];
    const ticks: TickCandleSource = {
      candles(token, intervalMs, fromMs, toMs) {
        asked.push([token, intervalMs, fromMs, toMs]);
        return watchedFrom <= fromMs ? [closing] : undefined;
      },
    };
    return { ticks, asked };
  };
  const evaluateWith = (tickCandles: TickCandleSource): Promise<Evaluation> =>
    new MockActivityEnvironment().run(
      createStrategyActivities({ candles: lagging, tickCandles, config }).evaluateStrategies,
      input,
    );

  it('evaluates the closing candle built from ticks, with the ids the published one would get', async () => {
    const { ticks, asked } = builder(asOf - 10 * MINUTE);
    const result = await evaluateWith(ticks);
    expect(asked[0]).toEqual([256265, MINUTE, asOf - MINUTE, asOf]);
    expect(result.skipped).toBeUndefined();
    expect(result.fromTicks).toBe(1);
    const published = await evaluate(fakeBroker(history).broker);
    expect(result.signals).toEqual(published.signals);
    expect(result.signals.map((s) => s.id)).toContain('rsiReversal-NIFTY-2026-01-14T09:31:00');
    // A retry that still finds the broker lagging gets the same candle, hence the same signals.
    expect((await evaluateWith(ticks)).signals).toEqual(result.signals);
  });

  it('keeps skipping when the builder did not watch the whole candle', async () => {
    const result = await evaluateWith(builder(asOf - 30_000).ticks);
    expect(result.signals).toEqual([]);
    expect(result.fromTicks).toBeUndefined();
    expect(result.skipped).toBe(
      'no candle closing at 2026-01-14T09:31:00 IST yet; newest closed 2026-01-14T09:30:00',
    );
  });
});
