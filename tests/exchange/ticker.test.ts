import net from 'node:net';
import { once } from 'node:events';
import { KiteTicker } from 'kiteconnect';
import { createTicker, type Tick, type TickerClient } from '../../src/adapters/kite/ticker';
import { atmOption, CREDS, sleep, startTestExchange, waitFor } from './helpers';

const NIFTY_50 = 256265;

let env: Awaited<ReturnType<typeof startTestExchange>>;
let optionToken: number;
const clients: TickerClient[] = [];

const ticker = (accessToken = CREDS.accessToken) => {
  const t = createTicker({
    url: env.ex.tickerUrl,
    apiKey: CREDS.apiKey,
    accessToken,
    reconnect: { minDelayMs: 20, maxDelayMs: 100 },
  });
  clients.push(t);
  return t;
};
const collect = (t: TickerClient) => {
  const ticks: Tick[] = [];
  t.on('tick', (x) => ticks.push(x));
  return ticks;
};

beforeAll(async () => {
  env = await startTestExchange();
  optionToken = Number((await atmOption(env.kite)).instrument_token);
  await env.control.pinPrice(optionToken, 123.45);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await env.ex.close();
});

describe('our ticker client', () => {
  it('decodes full-mode option ticks with the book top and index ticks', async () => {
    const t = ticker();
    const ticks = collect(t);
    t.subscribe([optionToken, NIFTY_50], 'full');
    const option = await waitFor(
      () => ticks.find((x) => x.token === optionToken && x.bid !== undefined),
      Boolean,
    );
    expect(option).toMatchObject({ ltp: 123.45, bid: 123.45, ask: 123.45 });
    const index = await waitFor(() => ticks.find((x) => x.token === NIFTY_50), Boolean);
    const ltp = (await env.kite.getLTP(['NSE:NIFTY 50']))['NSE:NIFTY 50'].last_price;
    expect(Math.abs((index as Tick).ltp - ltp)).toBeLessThan(ltp * 0.01);
  });

  it('gets no book in ltp mode and stops after unsubscribe', async () => {
    const t = ticker();
    const ticks = collect(t);
    t.subscribe([optionToken], 'ltp');
    await waitFor(
      () => ticks.length,
      (n) => n >= 2,
    );
    expect(ticks[0]).toEqual({ token: optionToken, ltp: 123.45, timestamp: expect.any(Number) });
    t.unsubscribe([optionToken]);
    await sleep(100);
    const count = ticks.length;
    await sleep(200);
    expect(ticks.length).toBe(count);
  });

  it('receives order updates as text messages', async () => {
    const t = ticker();
    const updates: Array<Record<string, unknown>> = [];
    t.on('order', (o) => updates.push(o));
    await waitFor(() => t.connected, Boolean);
    const row = await atmOption(env.kite);
    const { order_id } = await env.kite.placeOrder('regular', {
      exchange: 'NFO',
      tradingsymbol: row.tradingsymbol,
      transaction_type: 'BUY',
      quantity: 65,
      product: 'MIS',
      order_type: 'MARKET',
      market_protection: -1,
    } as never);
    await waitFor(
      () => updates.filter((u) => u.order_id === order_id).map((u) => u.status),
      (s) => s.includes('COMPLETE'),
    );
    expect(updates.find((u) => u.status === 'COMPLETE')).toMatchObject({
      order_id,
      average_price: 123.45,
    });
  });

  it('reconnects after the exchange drops it and resubscribes by itself', async () => {
    const t = ticker();
    const ticks = collect(t);
    const events: string[] = [];
    t.on('connect', () => events.push('connect'));
    t.on('disconnect', () => events.push('disconnect'));
    t.subscribe([optionToken], 'quote');
    await waitFor(
      () => ticks.length,
      (n) => n > 0,
    );
    await env.control.dropTickerConnections();
    await waitFor(
      () => events,
      (e) => e.filter((x) => x === 'connect').length >= 2,
    );
    expect(events.slice(0, 3)).toEqual(['connect', 'disconnect', 'connect']);
    const after = ticks.length;
    await waitFor(
      () => ticks.length,
      (n) => n > after + 1,
    );
  });

  it('keeps the connection but gets no ticks while ticks are paused', async () => {
    const t = ticker();
    const ticks = collect(t);
    t.subscribe([optionToken], 'ltp');
    await waitFor(
      () => ticks.length,
      (n) => n > 0,
    );
    await env.control.pauseTicks(true);
    await sleep(60);
    const count = ticks.length;
    await sleep(300);
    expect(ticks.length).toBe(count);
    expect(t.connected).toBe(true);
    await env.control.pauseTicks(false);
    await waitFor(
      () => ticks.length,
      (n) => n > count,
    );
  });

  it('outlives clients that reset the handshake it refuses', async () => {
    const { hostname, port } = new URL(env.ex.tickerUrl);
    for (let i = 0; i < 30; i++) {
      const socket = net.connect(Number(port), hostname);
      await once(socket, 'connect');
      socket.write(
        'GET /ws?api_key=x&access_token=wrong HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n' +
          'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
          'Sec-WebSocket-Version: 13\r\n\r\n',
      );
      await sleep(i % 3);
      socket.resetAndDestroy();
    }
    // An unhandled reset would have ended this process; the exchange still answers.
    await expect(env.kite.getProfile()).resolves.toMatchObject({ user_id: expect.any(String) });
  });

  it('never connects with a wrong access token', async () => {
    const t = ticker('wrong');
    await sleep(300);
    expect(t.connected).toBe(false);
  });
});

describe('official KiteTicker', () => {
  it('decodes ltp, quote and full packets from this server, with heartbeats in between', async () => {
    // The official ticker starts a read-timeout interval it never clears on
    // disconnect; capture it so the test leaves no timer behind.
    const intervals: NodeJS.Timeout[] = [];
    const realSetInterval = global.setInterval;
    const spy = jest.spyOn(global, 'setInterval').mockImplementation(((
      fn: () => void,
      ms: number,
    ) => {
      const id = realSetInterval(fn, ms);
      intervals.push(id);
      return id;
    }) as typeof setInterval);
    // `root` is honoured by the official ticker but missing from its typings.
    const params = {
      api_key: CREDS.apiKey,
      access_token: CREDS.accessToken,
      root: env.ex.tickerUrl,
      reconnect: false,
    };
    const official = new KiteTicker(params);
    const ticks: Array<Record<string, unknown>> = [];
    let heartbeats = 0;
    official.on('ticks', (batch: Array<Record<string, unknown>>) => ticks.push(...batch));
    official.on('message', (data: ArrayBuffer) => {
      if (data.byteLength === 1) heartbeats += 1;
    });
    const connected = new Promise<void>((resolve) => official.on('connect', () => resolve()));
    official.connect();
    await connected;
    try {
      official.subscribe([optionToken, NIFTY_50]);
      await waitFor(
        () => ticks.filter((x) => x.mode === 'quote').length,
        (n) => n >= 2,
      );
      official.setMode('full', [optionToken, NIFTY_50]);
      const fullOption = await waitFor(
        () => ticks.find((x) => x.mode === 'full' && x.instrument_token === optionToken),
        Boolean,
      );
      expect(fullOption).toMatchObject({
        tradable: true,
        last_price: 123.45,
        ohlc: expect.objectContaining({ close: expect.any(Number) }),
        depth: {
          buy: expect.arrayContaining([{ price: 123.45, quantity: 130, orders: 1 }]),
          sell: expect.any(Array),
        },
      });
      const fullIndex = await waitFor(
        () => ticks.find((x) => x.mode === 'full' && x.instrument_token === NIFTY_50),
        Boolean,
      );
      expect(fullIndex).toMatchObject({
        tradable: false,
        last_price: expect.any(Number),
        exchange_timestamp: expect.any(Date),
      });
      official.setMode('ltp', [NIFTY_50]);
      await waitFor(
        () => ticks.find((x) => x.mode === 'ltp' && x.instrument_token === NIFTY_50),
        Boolean,
      );
      await waitFor(
        () => heartbeats,
        (n) => n >= 1,
        2500,
      );
    } finally {
      official.disconnect();
      spy.mockRestore();
      intervals.forEach(clearInterval);
    }
  });
});
