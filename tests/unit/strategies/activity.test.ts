import { MockActivityEnvironment } from '@temporalio/testing';
import type { KiteBroker } from '../../../src/adapters/kite/client';
import {
  createStrategyActivities,
  type EvaluateInput,
  type Evaluation,
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
