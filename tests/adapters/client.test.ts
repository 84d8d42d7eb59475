import { createKiteBroker, type KiteBroker } from '../../src/adapters/kite/client';
import {
  BrokerAmbiguous,
  BrokerAuthError,
  BrokerRejection,
  BrokerThrottled,
} from '../../src/adapters/kite/errors';
import { startAdapterEnv } from './helpers';

let env: Awaited<ReturnType<typeof startAdapterEnv>>;
beforeAll(async () => {
  env = await startAdapterEnv();
});
afterEach(() => env.control.clearFaults());
afterAll(() => env.ex.close());

const nearestNiftyCall = async (broker: KiteBroker) => {
  const nfo = await broker.getInstruments('NFO');
  const calls = nfo.filter((i) => i.name === 'NIFTY' && i.instrumentType === 'CE');
  const expiry = calls.map((i) => i.expiry as string).sort()[0];
  const near = calls.filter((i) => i.expiry === expiry).sort((a, b) => a.strike - b.strike);
  return near[Math.floor(near.length / 2)];
};

describe('createKiteBroker against the paper exchange', () => {
  it('normalises the instruments dump and caches it per IST trading day', async () => {
    let now = Date.parse('2026-03-02T05:00:00Z');
    const broker = createKiteBroker({
      restUrl: env.ex.restUrl,
      apiKey: 'paper_api_key',
      accessToken: 'paper_access_token',
      timeoutMs: 3000,
      now: () => now,
    });
    const first = await broker.getInstruments('NFO');
    const option = first.find((i) => i.name === 'NIFTY' && i.instrumentType === 'PE');
    expect(option).toMatchObject({ exchange: 'NFO', lotSize: 65, tickSize: 0.05 });
    expect(option?.expiry).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(typeof option?.token).toBe('number');
    expect(await broker.getInstruments('NFO')).toBe(first);
    now += 86_400_000;
    expect(await broker.getInstruments('NFO')).not.toBe(first);
  });

  it('quotes with best bid/ask from the depth, by symbol and by token', async () => {
    const call = await nearestNiftyCall(env.broker);
    const key = `NFO:${call.tradingsymbol}`;
    const quotes = await env.broker.getQuote([key, String(call.token)]);
    const q = quotes.get(key);
    expect(q).toMatchObject({ token: call.token });
    expect(q!.ltp).toBeGreaterThan(0);
    expect(q!.bid).toBeLessThanOrEqual(q!.ask!);
    expect(quotes.get(String(call.token))?.token).toBe(call.token);
    const ltp = await env.broker.getLtp(['NSE:NIFTY 50']);
    expect(ltp.get('NSE:NIFTY 50')).toBeGreaterThan(10_000);
  });

  it('places an order and reads it back from the order book and its history', async () => {
    const call = await nearestNiftyCall(env.broker);
    const orderId = await env.broker.placeOrder({
      tag: 'clientT1',
      tradingsymbol: call.tradingsymbol,
      exchange: 'NFO',
      transactionType: 'BUY',
      quantity: 65,
      product: 'MIS',
      orderType: 'MARKET',
      marketProtection: -1,
    });
    const mine = (await env.broker.getOrders()).filter((o) => o.tag === 'clientT1');
    expect(mine).toEqual([
      expect.objectContaining({ orderId, quantity: 65, transactionType: 'BUY' }),
    ]);
    const history = await env.broker.getOrderHistory(orderId);
    expect(history.length).toBeGreaterThan(1);
    expect((await env.broker.getOrder(orderId)).status).toBe('COMPLETE');
  });

  it('returns candles with epoch-ms times', async () => {
    const to = Date.now();
    const candles = await env.broker.getHistoricalCandles(
      256265,
      '5minute',
      to - 7 * 86_400_000,
      to,
    );
    expect(candles.length).toBeGreaterThan(0);
    expect(candles[0].time).toBeLessThan(to);
    expect(candles[0].high).toBeGreaterThanOrEqual(candles[0].low);
  });
});

describe('broker errors', () => {
  it('maps a refused order to BrokerRejection with the broker’s message', async () => {
    const err = await env.broker
      .placeOrder({
        tag: 'bad1',
        tradingsymbol: 'NOSUCH',
        exchange: 'NFO',
        transactionType: 'BUY',
        quantity: 65,
        product: 'MIS',
        orderType: 'MARKET',
        marketProtection: -1,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerRejection);
    expect(err).toMatchObject({
      kiteErrorType: 'InputException',
      retryable: false,
      operation: 'placeOrder',
    });
    expect((err as Error).message).toMatch(/NOSUCH/);
  });

  it('maps 429 to BrokerThrottled and 500 to BrokerAmbiguous', async () => {
    await env.control.injectFaults({ failRequests: { count: 1, status: 429 } });
    await expect(env.broker.getOrders()).rejects.toBeInstanceOf(BrokerThrottled);
    await env.control.injectFaults({ failRequests: { count: 1, status: 500 } });
    await expect(env.broker.getOrders()).rejects.toBeInstanceOf(BrokerAmbiguous);
  });

  it('maps a dropped connection and an unreachable host to BrokerAmbiguous', async () => {
    await env.control.injectFaults({ dropOrderResponses: 1 });
    const call = await nearestNiftyCall(env.broker);
    await expect(
      env.broker.placeOrder({
        tag: 'drop1',
        tradingsymbol: call.tradingsymbol,
        exchange: 'NFO',
        transactionType: 'BUY',
        quantity: 65,
        product: 'MIS',
        orderType: 'MARKET',
        marketProtection: -1,
      }),
    ).rejects.toBeInstanceOf(BrokerAmbiguous);
    const nowhere = createKiteBroker({
      restUrl: 'http://127.0.0.1:1',
      apiKey: 'k',
      accessToken: 't',
      timeoutMs: 500,
    });
    await expect(nowhere.getOrders()).rejects.toBeInstanceOf(BrokerAmbiguous);
  });

  it('maps a bad token to BrokerAuthError without leaking either credential', async () => {
    const apiKey = 'paper_api_key';
    const accessToken = 'tok_WRONG_9f8e7d6c';
    const broker = createKiteBroker({
      restUrl: env.ex.restUrl,
      apiKey,
      accessToken,
      timeoutMs: 3000,
    });
    const err = await broker.getOrders().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerAuthError);
    const everything = `${(err as Error).message} ${(err as Error).stack} ${JSON.stringify(err)}`;
    expect(everything).not.toContain(accessToken);
    expect(everything).not.toContain(apiKey);
  });
});
