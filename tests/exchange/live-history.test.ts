import type { Connect } from 'kiteconnect';
import { createTicker, type TickerClient } from '../../src/adapters/kite/ticker';
import { istEpoch } from '../../src/domain/calendar';
import { roundToTick } from '../../src/domain/money';
import { minuteCandles } from '../../src/exchange/market/history';
import { CREDS, startTestExchange, tempDir, waitFor } from './helpers';

const NIFTY = 256265;
const SEED = 7;
/** A Saturday night: only the always-open session trades, and no simulated session covers it. */
const SATURDAY = '2026-11-21';
const at = (hhmmss: string) =>
  istEpoch(SATURDAY, hhmmss.slice(0, 5)) + Number(hhmmss.slice(6) || 0) * 1000;

interface KiteCandle {
  date: Date;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

const history = (kite: Connect, interval: string, from: string, to: string) =>
  kite.getHistoricalData(NIFTY, interval as never, from, to) as Promise<KiteCandle[]>;
const ohlc = (c: KiteCandle) => [c.date.getTime(), c.open, c.high, c.low, c.close];
const ohlcOf = (time: number, prices: number[]) => [
  time,
  prices[0],
  Math.max(...prices),
  Math.min(...prices),
  prices[prices.length - 1],
];

/** The simulated session's minutes as the endpoint rounds them. */
const simulated = (date: string) =>
  minuteCandles(SEED, 'NIFTY', date).map((c) => [
    c.time,
    roundToTick(c.open),
    roundToTick(c.high),
    roundToTick(c.low),
    roundToTick(c.close),
  ]);

describe('live history on a clock the test moves', () => {
  let clock = at('22:00:50');
  const dataDir = tempDir();
  let env: Awaited<ReturnType<typeof startTestExchange>>;
  let ticker: TickerClient;
  /** What the exchange told ticker clients NIFTY traded at, with the exchange's clock. */
  const published: { time: number; ltp: number }[] = [];

  const start = async () => {
    // Market ticks never fire: every price below is one the test set.
    env = await startTestExchange({
      seed: SEED,
      dataDir,
      now: () => clock,
      tickIntervalMs: 60_000,
    });
    env.ex.events.on('ticks', (ltps) => {
      const ltp = ltps.get(NIFTY);
      if (ltp !== undefined) published.push({ time: clock, ltp });
    });
    ticker = createTicker({ url: env.ex.tickerUrl, ...CREDS });
    let snapshot = false;
    ticker.on('tick', () => (snapshot = true));
    ticker.subscribe([NIFTY], 'ltp');
    await waitFor(() => snapshot, Boolean);
  };
  const stop = async () => {
    ticker.close();
    await env.ex.close();
  };
  /** Moves the clock and prints one price, as a spot change or as a pin of the index. */
  const print = async (time: string, spot: number, how: 'spot' | 'pin' = 'spot') => {
    clock = at(time);
    if (how === 'pin') {
      await env.control.pinPrice(NIFTY, spot);
      await env.control.unpin(NIFTY);
    } else {
      await env.control.setSpot('NIFTY', spot);
    }
  };
  const printed = (from: string, to: string) =>
    published.filter((p) => p.time >= at(from) && p.time < at(to)).map((p) => p.ltp);

  beforeAll(start);
  afterAll(stop);

  it('serves the OHLC of the published prices for each live minute, the forming one up to now', async () => {
    await print('22:01:05', 26010);
    await print('22:01:20', 26110.35);
    await print('22:01:30', 25980.4, 'pin');
    await print('22:01:59', 26050);
    await print('22:02:10', 26200);
    const candles = await history(
      env.kite,
      'minute',
      `${SATURDAY} 22:00:00`,
      `${SATURDAY} 23:00:00`,
    );
    const minute = printed('22:01:00', '22:02:00');
    // The pin printed 25980.40, and unpinning printed the spot again.
    expect(minute).toEqual([26010, 26110.35, 25980.4, 26110.35, 26050]);
    expect(candles.map(ohlc).slice(1)).toEqual([
      ohlcOf(at('22:01'), minute),
      ohlcOf(at('22:02'), printed('22:02:00', '22:03:00')),
    ]);
    expect(candles.every((c) => c.volume === 0)).toBe(true);
  });

  it('starts the live period where the simulated past ends', async () => {
    const candles = await history(
      env.kite,
      'minute',
      `${SATURDAY} 22:00:00`,
      `${SATURDAY} 22:00:59`,
    );
    const lastSession = simulated('2026-11-20').at(-1)!;
    // The exchange started at 22:00:50 and printed nothing else that minute.
    expect(ohlc(candles[0])).toEqual(ohlcOf(at('22:00'), [lastSession[4]]));
  });

  it('serves the previous sessions, unchanged, and then the live minutes at night', async () => {
    const week = await history(env.kite, 'minute', '2026-11-14 22:02:10', `${SATURDAY} 22:02:10`);
    const sessions = ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20'];
    expect(week.map(ohlc)).toEqual([
      ...sessions.flatMap(simulated),
      ...(await history(env.kite, 'minute', `${SATURDAY} 22:00:00`, `${SATURDAY} 22:59:00`)).map(
        ohlc,
      ),
    ]);
  });

  it('aggregates live minutes into longer candles aligned to 09:15', async () => {
    const range = [`${SATURDAY} 21:00:00`, `${SATURDAY} 22:59:00`] as const;
    const minutes = await history(env.kite, 'minute', ...range);
    const merged = (time: number) => [
      time,
      minutes[0].open,
      Math.max(...minutes.map((c) => c.high)),
      Math.min(...minutes.map((c) => c.low)),
      minutes.at(-1)!.close,
    ];
    // 22:00 is 765 minutes after 09:15: a 3-, 5- and 15-minute boundary alike.
    for (const interval of ['3minute', '5minute', '15minute'])
      expect((await history(env.kite, interval, ...range)).map(ohlc)).toEqual([
        merged(at('22:00')),
      ]);
    const days = await history(env.kite, 'day', SATURDAY, SATURDAY);
    expect(days.map(ohlc)).toEqual([merged(istEpoch(SATURDAY, '00:00'))]);
  });

  it('keeps the live minutes across a restart, leaves the downtime empty and carries on from the last price', async () => {
    await stop();
    clock = at('22:05:30');
    await start();
    const spots = await env.control.spots();
    expect(spots.NIFTY).toBe(26200);
    await print('22:05:40', 26300);
    const candles = await history(
      env.kite,
      'minute',
      `${SATURDAY} 22:00:00`,
      `${SATURDAY} 23:00:00`,
    );
    expect(candles.map((c) => c.date.getTime())).toEqual([
      at('22:00'),
      at('22:01'),
      at('22:02'),
      at('22:05'),
    ]);
    expect(ohlc(candles[3])).toEqual(ohlcOf(at('22:05'), [26200, 26300]));
  });
});

describe('live history in the ist-hours session', () => {
  it('records nothing outside market hours, and the live session replaces the simulated one from its start', async () => {
    let clock = at('22:00:00');
    const night = await startTestExchange({
      seed: SEED,
      session: 'ist-hours',
      now: () => clock,
      tickIntervalMs: 60_000,
    });
    try {
      await night.control.setSpot('NIFTY', 30000);
      const candles = await history(
        night.kite,
        'minute',
        `${SATURDAY} 00:00:00`,
        `${SATURDAY} 23:59:00`,
      );
      expect(candles).toEqual([]);
    } finally {
      await night.ex.close();
    }
    const friday = '2026-11-20';
    clock = istEpoch(friday, '10:00') + 30_000;
    const morning = await startTestExchange({
      seed: SEED,
      session: 'ist-hours',
      now: () => clock,
      tickIntervalMs: 60_000,
    });
    try {
      clock += 40_000;
      await morning.control.setSpot('NIFTY', 30000);
      const candles = await history(
        morning.kite,
        'minute',
        `${friday} 09:15:00`,
        `${friday} 15:30:00`,
      );
      const before = simulated(friday).slice(0, 45);
      expect(candles.map(ohlc)).toEqual([
        ...before,
        ohlcOf(istEpoch(friday, '10:00'), [before[44][4]]),
        ohlcOf(istEpoch(friday, '10:01'), [30000]),
      ]);
    } finally {
      await morning.ex.close();
    }
  });
});
