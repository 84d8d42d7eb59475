import { createTicker, type Tick } from '../../src/adapters/kite/ticker';
import { istEpoch } from '../../src/domain/calendar';
import { Market } from '../../src/exchange/market/market';
import { atmOption, CREDS, sleep, startTestExchange } from './helpers';

const TUESDAY_10AM = istEpoch('2026-11-17', '10:00');

function path(seed: number): number[] {
  let t = TUESDAY_10AM;
  const market = new Market({ seed, strikesAroundSpot: 3, now: () => t });
  const option = market.instruments.find((i) => i.instrumentType === 'CE') as { token: number };
  const out: number[] = [];
  for (let i = 0; i < 200; i++) {
    t += 250;
    market.step(t);
    out.push(market.spot('NIFTY'), market.spot('BANKNIFTY'), market.quote(option.token)?.ltp ?? 0);
  }
  return out;
}

describe('same seed, same market', () => {
  it('replays the same spot and option path for a seed and a different one for another seed', () => {
    expect(path(11)).toEqual(path(11));
    expect(path(11)).not.toEqual(path(12));
  });

  it('moves with an annualised volatility in the 10-25% range', () => {
    const spots = path(3).filter((_, i) => i % 3 === 0);
    const returns = spots.slice(1).map((s, i) => Math.log(s / spots[i]));
    const variance = returns.reduce((s, r) => s + r * r, 0) / returns.length;
    // 250 ms steps over a 252 x 375-minute trading year.
    const annualised = Math.sqrt(variance * ((252 * 375 * 60_000) / 250));
    expect(annualised).toBeGreaterThan(0.05);
    expect(annualised).toBeLessThan(0.35);
  });

  it('serves identical instruments, quotes and history from two exchanges with one seed', async () => {
    const start = (seed: number) =>
      startTestExchange({ seed, now: () => TUESDAY_10AM, tickIntervalMs: 60_000 });
    const [a, b, c] = await Promise.all([start(5), start(5), start(6)]);
    try {
      const dumpA = await a.kite.getInstruments('NFO');
      expect(await b.kite.getInstruments('NFO')).toEqual(dumpA);
      const keys = (dumpA as unknown as Array<{ tradingsymbol: string }>)
        .slice(0, 40)
        .map((r) => `NFO:${r.tradingsymbol}`);
      const quotes = await a.kite.getQuote(keys);
      expect(await b.kite.getQuote(keys)).toEqual(quotes);
      expect(await c.kite.getLTP(['NSE:NIFTY 50'])).not.toEqual(
        await a.kite.getLTP(['NSE:NIFTY 50']),
      );
      const history = (x: typeof a) =>
        x.kite.getHistoricalData(256265, 'minute', '2026-11-16 09:15:00', '2026-11-16 15:29:00');
      expect(await history(b)).toEqual(await history(a));
    } finally {
      await Promise.all([a.ex.close(), b.ex.close(), c.ex.close()]);
    }
  });
});

describe('ist-hours session', () => {
  it('rejects orders and sends no ticks on a Sunday, and trades on a Tuesday morning', async () => {
    const count = async (now: number) => {
      const env = await startTestExchange({
        session: 'ist-hours',
        now: () => now,
        tickIntervalMs: 20,
      });
      const row = await atmOption(env.kite);
      const ticker = createTicker({
        url: env.ex.tickerUrl,
        apiKey: CREDS.apiKey,
        accessToken: CREDS.accessToken,
      });
      const ticks: Tick[] = [];
      ticker.on('tick', (t) => ticks.push(t));
      ticker.subscribe([Number(row.instrument_token)], 'ltp');
      const { order_id } = await env.kite.placeOrder('regular', {
        exchange: 'NFO',
        tradingsymbol: row.tradingsymbol,
        transaction_type: 'BUY',
        quantity: 65,
        product: 'MIS',
        order_type: 'LIMIT',
        price: 1,
      } as never);
      const order = (
        (await env.kite.getOrderHistory(order_id)) as Array<{
          status: string;
          status_message: string;
        }>
      ).pop();
      await sleep(150);
      const seen = ticks.length;
      await sleep(300);
      ticker.close();
      await env.ex.close();
      return { order, newTicks: ticks.length - seen };
    };
    const sunday = await count(istEpoch('2026-11-22', '11:00'));
    expect(sunday.order).toMatchObject({
      status: 'REJECTED',
      status_message: 'Markets are closed right now.',
    });
    expect(sunday.newTicks).toBe(0);
    const tuesday = await count(TUESDAY_10AM);
    expect(tuesday.order?.status).toBe('OPEN');
    expect(tuesday.newTicks).toBeGreaterThan(3);
  });
});
