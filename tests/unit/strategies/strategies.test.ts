import { loadConfig } from '../../../src/config';
import { STRATEGIES, evaluateAll } from '../../../src/domain/strategies';
import { candlesFrom, ramp, RSI_LONG_PATH } from './paths';

const params = loadConfig({ env: {} }).runner.strategies;
const rsiParams = params.rsiReversal;

describe('rsiReversal', () => {
  it('goes LONG when RSI climbs back above oversold, with a hand-computed RSI', () => {
    const { signal, indicators } = STRATEGIES.rsiReversal.evaluate(
      candlesFrom(RSI_LONG_PATH),
      rsiParams,
    );
    expect(indicators.rsi).toBeCloseTo(100 - 100 / (1 + 6 / 13), 3);
    expect(signal).toMatchObject({
      direction: 'LONG',
      // RSI had reached 0: the deepest possible oversold reading.
      strength: 10,
      // Half the retracement from the window's high close 114 to 107, in percent of 107.
      expectedMovePct: Math.round((10_000 * 3.5) / 107) / 100,
    });
    expect(signal?.reason).toContain('crossed above 30');
  });

  it('stays quiet when the bounce leaves RSI below oversold (5 points: RSI 27.8)', () => {
    const closes = [...ramp(115, 15, -1), 106];
    const result = STRATEGIES.rsiReversal.evaluate(candlesFrom(closes), rsiParams);
    expect(result.indicators.rsi).toBeCloseTo(100 - 100 / (1 + 5 / 13), 3);
    expect(result.signal).toBeUndefined();
  });

  it('goes SHORT on the mirror image: RSI falls back below overbought', () => {
    const closes = [...ramp(85, 15, 1), 93];
    const { signal, indicators } = STRATEGIES.rsiReversal.evaluate(candlesFrom(closes), rsiParams);
    expect(indicators.rsi).toBeCloseTo(100 - 100 / (1 + 13 / 6), 3);
    expect(signal).toMatchObject({ direction: 'SHORT', strength: 10 });
  });
});

describe('emaCrossover', () => {
  const p = { enabled: true, fast: 3, slow: 5 };

  it('goes LONG when a jump lifts the fast EMA over the slow one', () => {
    // Flat at 100, then 105: fast = 100 + 5 * 2/4 = 102.5, slow = 100 + 5 * 2/6 = 101.667.
    const { signal, indicators } = STRATEGIES.emaCrossover.evaluate(
      candlesFrom([...Array(6).fill(100), 105]),
      p,
    );
    expect(indicators.fast).toBeCloseTo(102.5, 4);
    expect(indicators.slow).toBeCloseTo(101.6667, 4);
    // Last 5 ranges: four flat candles of 1 point and the jump of 6: mean 2.
    // Conviction = gap 0.833 / 2; expected move = 2 ranges = 4 points of 105.
    expect(signal).toMatchObject({ direction: 'LONG', strength: 7.1, expectedMovePct: 3.81 });
  });

  it('goes SHORT on a drop and stays quiet once the EMAs have already crossed', () => {
    const down = candlesFrom([...Array(6).fill(100), 95]);
    expect(STRATEGIES.emaCrossover.evaluate(down, p).signal?.direction).toBe('SHORT');
    const later = candlesFrom([...Array(6).fill(100), 95, 94]);
    expect(STRATEGIES.emaCrossover.evaluate(later, p).signal).toBeUndefined();
  });
});

describe('bollingerBreakout', () => {
  const p = { enabled: true, period: 20, stdDev: 2 };
  // Nineteen closes alternating 100/101; one close at 110 sits 4.25 standard
  // deviations out even though the bands include it ((n - 1) / sqrt(n) for n = 20).
  const quiet = Array.from({ length: 20 }, (_, i) => 100 + (i % 2));

  it('goes LONG when a close breaks above the upper band', () => {
    const { signal, indicators } = STRATEGIES.bollingerBreakout.evaluate(
      candlesFrom([...quiet, 110]),
      p,
    );
    expect(indicators.upper).toBeLessThan(110);
    expect(signal?.direction).toBe('LONG');
    expect(signal?.expectedMovePct).toBeCloseTo(
      ((indicators.upper - indicators.middle) / 110) * 100,
      1,
    );
  });

  it('goes SHORT below the lower band and stays quiet inside the bands', () => {
    expect(
      STRATEGIES.bollingerBreakout.evaluate(candlesFrom([...quiet, 90]), p).signal?.direction,
    ).toBe('SHORT');
    expect(
      STRATEGIES.bollingerBreakout.evaluate(candlesFrom([...quiet, 100]), p).signal,
    ).toBeUndefined();
  });
});

describe('macdCrossover', () => {
  const p = params.macdCrossover;
  // A 40-candle slide then a steady climb: the histogram turns positive once, a few candles into the climb.
  const closes = [...ramp(200, 40, -1), ...ramp(162, 20, 2)];

  it('goes LONG exactly once, on the candle where the histogram turns positive', () => {
    const fired = closes
      .map((_, i) => ({
        i,
        out: STRATEGIES.macdCrossover.evaluate(candlesFrom(closes.slice(0, i + 1)), p),
      }))
      .filter(({ out }) => out.signal);
    expect(fired).toHaveLength(1);
    const [{ i, out }] = fired;
    expect(i).toBeGreaterThanOrEqual(40);
    expect(out.signal?.direction).toBe('LONG');
    expect(out.indicators.histogram).toBeGreaterThan(0);
    const before = STRATEGIES.macdCrossover.evaluate(candlesFrom(closes.slice(0, i)), p);
    expect(before.indicators.histogram).toBeLessThanOrEqual(0);
    expect(out.indicators.macd).toBeCloseTo(out.indicators.signal + out.indicators.histogram, 3);
  });

  it('goes SHORT on the mirror path', () => {
    const mirror = closes.map((c) => 400 - c);
    const signals = mirror
      .map((_, i) => STRATEGIES.macdCrossover.evaluate(candlesFrom(mirror.slice(0, i + 1)), p))
      .flatMap((r) => (r.signal ? [r.signal.direction] : []));
    expect(signals).toEqual(['SHORT']);
  });
});

describe('evaluateAll', () => {
  it('runs only enabled strategies and says when there are too few candles', () => {
    const only = {
      ...params,
      macdCrossover: { ...params.macdCrossover, enabled: false },
      bollingerBreakout: { ...params.bollingerBreakout, enabled: false },
      emaCrossover: { enabled: true, fast: 9, slow: 21 },
    };
    const outcomes = evaluateAll(candlesFrom(RSI_LONG_PATH), only);
    expect(outcomes.map((o) => o.strategy)).toEqual(['rsiReversal', 'emaCrossover']);
    expect(outcomes[0].signal?.direction).toBe('LONG');
    expect(outcomes[1].skipped).toBe('needs 22 closed candles, has 16');
  });

  it('gives every strength on the 0-10 scale and every expected move positive', () => {
    const paths = [RSI_LONG_PATH, [...ramp(200, 40, -1), ...ramp(162, 30, 2)]];
    for (const closes of paths)
      for (let i = 1; i <= closes.length; i++)
        for (const o of evaluateAll(candlesFrom(closes.slice(0, i)), params))
          if (o.signal) {
            expect(o.signal.strength).toBeGreaterThanOrEqual(0);
            expect(o.signal.strength).toBeLessThanOrEqual(10);
            expect(o.signal.expectedMovePct).toBeGreaterThan(0);
          }
  });
});
