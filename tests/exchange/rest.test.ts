import { istEpoch } from '../../src/domain/calendar';
import { atmOption, CREDS, startTestExchange } from './helpers';

let env: Awaited<ReturnType<typeof startTestExchange>>;

beforeAll(async () => {
  env = await startTestExchange();
});
afterAll(() => env.ex.close());
// A pin held past its test would quote bid = ask in the next one's book.
afterEach(() => env.control.unpinAll());

type Instrument = Record<string, unknown> & {
  tradingsymbol: string;
  instrument_token: string;
  name: string;
  segment: string;
};
type QuoteRow = {
  last_price: number;
  depth: { buy: { price: number }[]; sell: { price: number }[] };
};

const spreadPaise = (q: QuoteRow) =>
  Math.round((q.depth.sell[0].price - q.depth.buy[0].price) * 100);
const nonDecreasing = (xs: number[]) => xs.every((x, i) => i === 0 || x >= xs[i - 1]);

describe('instruments', () => {
  it('serves Kite CSV columns, index rows and deterministic tokens', async () => {
    const all = (await env.kite.getInstruments()) as unknown as Instrument[];
    const nfo = (await env.kite.getInstruments('NFO')) as unknown as Instrument[];
    expect(Object.keys(all[0])).toEqual([
      'instrument_token',
      'exchange_token',
      'tradingsymbol',
      'name',
      'last_price',
      'expiry',
      'strike',
      'tick_size',
      'lot_size',
      'instrument_type',
      'segment',
      'exchange',
    ]);
    const indices = all
      .filter((r) => r.segment === 'INDICES')
      .map((r) => [r.tradingsymbol, r.instrument_token]);
    expect(indices).toEqual([
      ['NIFTY 50', '256265'],
      ['NIFTY BANK', '260105'],
      ['NIFTY FIN SERVICE', '257801'],
    ]);
    expect(nfo.every((r) => r.exchange === 'NFO' && r.segment === 'NFO-OPT')).toBe(true);
    const lots = Object.fromEntries(nfo.map((r) => [r.name, r.lot_size]));
    expect(lots).toEqual({ NIFTY: 65, BANKNIFTY: 30, FINNIFTY: 60 });
    // strikesAroundSpot 4 -> 9 strikes x 2 types per expiry.
    const niftyExpiries = new Set(
      nfo.filter((r) => r.name === 'NIFTY').map((r) => String(r.expiry)),
    );
    expect(nfo.filter((r) => r.name === 'NIFTY')).toHaveLength(niftyExpiries.size * 18);
    expect(niftyExpiries.size).toBeGreaterThanOrEqual(5);
    expect(
      nfo
        .map((r) => r.tradingsymbol)
        .every((s) =>
          /^(NIFTY|BANKNIFTY|FINNIFTY)\d{2}([1-9OND]\d{2}|[A-Z]{3})\d+(CE|PE)$/.test(s),
        ),
    ).toBe(true);
    expect(new Set(nfo.map((r) => r.instrument_token)).size).toBe(nfo.length);
  });
});

describe('quotes', () => {
  it('answers quote, ltp and ohlc for option and index keys', async () => {
    const row = await atmOption(env.kite);
    await env.control.pinPrice(Number(row.instrument_token), 150);
    const keys = [`NFO:${row.tradingsymbol}`, 'NSE:NIFTY 50'];
    const ltp = await env.kite.getLTP(keys);
    expect(ltp[keys[0]]).toEqual({
      instrument_token: Number(row.instrument_token),
      last_price: 150,
    });
    expect(ltp['NSE:NIFTY 50'].instrument_token).toBe(256265);
    const ohlc = await env.kite.getOHLC(keys);
    expect(ohlc[keys[0]]).toMatchObject({
      last_price: 150,
      ohlc: {
        high: expect.any(Number),
        low: expect.any(Number),
        open: expect.any(Number),
        close: expect.any(Number),
      },
    });
    const quote = (await env.kite.getQuote(keys)) as Record<
      string,
      { depth: { buy: { price: number }[]; sell: { price: number }[] }; last_price: number }
    >;
    expect(quote[keys[0]].depth.buy).toHaveLength(5);
    expect(quote[keys[0]].depth.buy[0].price).toBe(150);
    expect(quote[keys[0]].depth.sell[1].price).toBe(150.05);
    expect(await env.kite.getLTP(['NFO:NOPE'])).toEqual({});
  });

  it('quotes every option on the 0.05 tick with a spread that widens away from the money', async () => {
    const rows = (await env.kite.getInstruments('NFO')) as unknown as Instrument[];
    const chains = new Map<string, Instrument[]>();
    for (const r of rows) {
      const name = `${r.name} ${(r.expiry as Date).toISOString().slice(0, 10)}`;
      chains.set(name, [...(chains.get(name) ?? []), r]);
    }
    expect(chains.size).toBeGreaterThanOrEqual(3 * 3);
    const narrowing: Record<string, { money: number; spreads: number[][] }> = {};
    for (const [name, chain] of chains) {
      const quotes = (await env.kite.getQuote(
        chain.map((r) => `NFO:${r.tradingsymbol}`),
      )) as Record<string, QuoteRow>;
      for (const q of Object.values(quotes))
        for (const p of [q.last_price, q.depth.buy[0].price, q.depth.sell[0].price])
          expect(Math.round(p * 100) % 5).toBe(0);
      const at = (strike: number, type: string) => {
        const row = chain.find((r) => Number(r.strike) === strike && r.instrument_type === type)!;
        return quotes[`NFO:${row.tradingsymbol}`];
      };
      const strikes = [...new Set(chain.map((r) => Number(r.strike)))].sort((a, b) => a - b);
      // Put-call parity: call minus put is smallest at the listed strike nearest the forward,
      // which is where the money is however far the index has moved since the listing.
      const gap = (k: number) => Math.abs(at(k, 'CE').last_price - at(k, 'PE').last_price);
      const money = strikes.reduce((best, k) => (gap(k) < gap(best) ? k : best));
      const up = strikes.filter((k) => k >= money);
      const down = strikes.filter((k) => k <= money).reverse();
      for (const type of ['CE', 'PE']) {
        const spreads = [up, down].map((side) => side.map((k) => spreadPaise(at(k, type))));
        // Four strikes a side: the farthest is at least three strikes from the forward.
        const widest = Math.max(...spreads.map((side) => side.at(-1)!));
        if (!spreads.every(nonDecreasing) || widest <= spreads[0][0])
          narrowing[`${name} ${type}`] = { money, spreads };
      }
    }
    expect(narrowing).toEqual({});
  });
});

describe('historical candles', () => {
  // These read one past week, so they pin a day after it instead of running at the suite's instant.
  let past: Awaited<ReturnType<typeof startTestExchange>>;
  beforeAll(async () => {
    past = await startTestExchange({ now: () => istEpoch('2026-11-23', '12:00') });
  });
  afterAll(() => past.ex.close());

  it('returns aligned candles for each interval within from/to', async () => {
    const day = '2026-11-20';
    const from = `${day} 09:15:00`;
    const to = `${day} 10:14:59`;
    const minute = (await past.kite.getHistoricalData(256265, 'minute', from, to)) as Array<{
      date: Date;
      open: number;
      high: number;
      low: number;
      close: number;
      volume: number;
    }>;
    expect(minute).toHaveLength(60);
    expect(minute[0].date.toISOString()).toBe('2026-11-20T03:45:00.000Z');
    for (const c of minute) {
      expect(c.high).toBeGreaterThanOrEqual(Math.max(c.open, c.close));
      expect(c.low).toBeLessThanOrEqual(Math.min(c.open, c.close));
    }
    const five = (await past.kite.getHistoricalData(256265, '5minute', from, to)) as typeof minute;
    expect(five).toHaveLength(12);
    expect(five[1]).toMatchObject({
      open: minute[5].open,
      close: minute[9].close,
      high: Math.max(...minute.slice(5, 10).map((c) => c.high)),
    });
    const fifteen = (await past.kite.getHistoricalData(
      256265,
      '15minute',
      from,
      to,
    )) as typeof minute;
    expect(fifteen).toHaveLength(4);
    const option = await atmOption(past.kite);
    const optionCandles = (await past.kite.getHistoricalData(
      Number(option.instrument_token),
      '3minute',
      from,
      to,
    )) as typeof minute;
    expect(optionCandles).toHaveLength(20);
    expect(optionCandles.every((c) => c.low > 0)).toBe(true);
    const days = (await past.kite.getHistoricalData(
      256265,
      'day',
      '2026-11-16 00:00:00',
      '2026-11-20 23:59:59',
    )) as typeof minute;
    expect(days).toHaveLength(5);
  });

  it('refuses unknown intervals and ranges beyond the limit', async () => {
    await expect(
      past.kite.getHistoricalData(
        256265,
        'fortnight' as never,
        '2026-11-20 09:15:00',
        '2026-11-20 10:00:00',
      ),
    ).rejects.toMatchObject({ error_type: 'InputException' });
    await expect(
      past.kite.getHistoricalData(256265, 'minute', '2026-01-01 09:15:00', '2026-11-20 10:00:00'),
    ).rejects.toMatchObject({
      error_type: 'InputException',
      message: expect.stringContaining('60 days'),
    });
  });
});

describe('envelopes and HTTP codes', () => {
  // The official client hides status codes, so this one check speaks raw HTTP.
  const raw = (path: string, auth = `token ${CREDS.apiKey}:${CREDS.accessToken}`) =>
    fetch(`${env.ex.restUrl}${path}`, { headers: { Authorization: auth } });

  it('uses Kite envelopes with 200, 400, 403 and 404', async () => {
    const ok = await raw('/user/margins/equity');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'success', data: { enabled: true } });
    const bad = await raw('/orders/123456');
    expect([bad.status, await bad.json()]).toEqual([
      400,
      expect.objectContaining({ status: 'error', error_type: 'InputException' }),
    ]);
    const denied = await raw('/orders', 'token x:y');
    expect([denied.status, ((await denied.json()) as { error_type: string }).error_type]).toEqual([
      403,
      'TokenException',
    ]);
    const missing = await raw('/nowhere');
    expect(missing.status).toBe(404);
    expect((await raw('/instruments/NFO')).headers.get('content-type')).toBe('text/csv');
  });

  it('serves a profile for the paper user', async () => {
    expect(await env.kite.getProfile()).toMatchObject({
      user_id: 'PAPER1',
      exchanges: ['NSE', 'NFO'],
    });
  });
});
