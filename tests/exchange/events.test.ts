import { createTicker, type Tick, type TickerClient } from '../../src/adapters/kite/ticker';
import type { KiteOrder } from '../../src/exchange/matching/order-types';
import { atmOption, CREDS, startTestExchange, waitFor } from './helpers';

let env: Awaited<ReturnType<typeof startTestExchange>>;
let ticker: TickerClient;

beforeAll(async () => {
  // Slow market ticks, so the ticks seen below come from the pin.
  env = await startTestExchange({ tickIntervalMs: 60_000 });
  ticker = createTicker({
    url: env.ex.tickerUrl,
    apiKey: CREDS.apiKey,
    accessToken: CREDS.accessToken,
  });
  await waitFor(() => ticker.connected, Boolean);
});
afterAll(async () => {
  ticker.close();
  await env.ex.close();
});

describe('exchange events', () => {
  it('announces every order state as it is recorded, starting with its receipt', async () => {
    const orders: KiteOrder[] = [];
    env.ex.events.on('order', (o) => orders.push(o));
    const row = await atmOption(env.kite);
    const { order_id } = await env.kite.placeOrder('regular', {
      exchange: 'NFO',
      tradingsymbol: row.tradingsymbol,
      transaction_type: 'BUY',
      quantity: 65,
      product: 'MIS',
      order_type: 'MARKET',
      market_protection: -1,
      tag: 'evt1',
    } as never);
    const mine = orders.filter((o) => o.order_id === order_id);
    expect(mine[0]).toMatchObject({ status: 'PUT ORDER REQ RECEIVED', tag: 'evt1' });
    expect(mine.map((o) => o.status)).toContain('COMPLETE');
  });

  it('announces published ticks with the price of each subscribed token, before a client decodes them', async () => {
    const token = Number((await atmOption(env.kite)).instrument_token);
    const seen: Tick[] = [];
    ticker.on('tick', (t) => seen.push(t));
    ticker.subscribe([token], 'ltp');
    await waitFor(
      () => seen.length,
      (n) => n > 0,
    );
    const published: { ltps: ReadonlyMap<number, number>; ticksBefore: number }[] = [];
    env.ex.events.on('ticks', (ltps) => published.push({ ltps, ticksBefore: seen.length }));
    await env.control.pinPrice(token, 77.7);
    expect(published).toHaveLength(1);
    expect([...published[0].ltps]).toEqual([[token, 77.7]]);
    await waitFor(
      () => seen.at(-1)?.ltp,
      (ltp) => ltp === 77.7,
    );
    expect(published[0].ticksBefore).toBeLessThan(seen.length);
  });

  it('publishes nothing while ticks are paused', async () => {
    const token = Number((await atmOption(env.kite)).instrument_token);
    const published: ReadonlyMap<number, number>[] = [];
    env.ex.events.on('ticks', (ltps) => published.push(ltps));
    await env.control.pauseTicks(true);
    await env.control.pinPrice(token, 88.8);
    await env.control.pauseTicks(false);
    expect(published).toHaveLength(0);
  });
});
