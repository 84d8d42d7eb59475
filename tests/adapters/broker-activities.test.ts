import type { KiteBroker } from '../../src/adapters/kite/client';
import { createTickHub, type TickHub } from '../../src/adapters/kite/tick-hub';
import type { Activities, PlaceOrderInput } from '../../src/activities';
import { orderTag } from '../../src/domain/order-tag';
import {
  activitiesFor,
  activityEnv,
  CREDS,
  failureOf,
  run,
  runIn,
  startAdapterEnv,
} from './helpers';

type Env = Awaited<ReturnType<typeof startAdapterEnv>>;
let env: Env;
let acts: Activities;
let symbol: string;
let token: number;
let seq = 0;

beforeAll(async () => {
  env = await startAdapterEnv();
  acts = activitiesFor(env.broker);
  const chain = await run(acts.getOptionChain, { underlying: 'NIFTY', strikesAround: 0 });
  const call = chain.options.find((o) => o.optionType === 'CE')!;
  ({ tradingSymbol: symbol, token } = call);
});
afterEach(() => env.control.clearFaults());
afterAll(() => env.ex.close());

const intent = (overrides: Partial<PlaceOrderInput> = {}): PlaceOrderInput => ({
  tag: orderTag(`pos-test-${++seq}`, 'ENTRY', 0),
  tradingsymbol: symbol,
  exchange: 'NFO',
  transactionType: 'BUY',
  quantity: 65,
  product: 'MIS',
  orderType: 'MARKET',
  marketProtection: -1,
  ...overrides,
});
const ordersTagged = async (tag: string) =>
  (await env.broker.getOrders()).filter((o) => o.tag === tag);

describe('placeOrder: the tag look-up is the idempotency key', () => {
  it('places once, then adopts the same order on a repeat of the same intent', async () => {
    const req = intent();
    const first = await run(acts.placeOrder, req);
    expect(first).toEqual({ orderId: expect.any(String), adopted: false });
    expect(await run(acts.placeOrder, req)).toEqual({ orderId: first.orderId, adopted: true });
    expect(await ordersTagged(req.tag)).toHaveLength(1);
  });

  it('adopts the order when the response was dropped after the exchange accepted it', async () => {
    const req = intent();
    await env.control.injectFaults({ dropOrderResponses: 1 });
    const result = await run(acts.placeOrder, req);
    expect(result.adopted).toBe(true);
    const orders = await ordersTagged(req.tag);
    expect(orders.map((o) => o.orderId)).toEqual([result.orderId]);
  });

  it('throws a retryable failure when an ambiguous place left no order, and the retry places exactly one', async () => {
    const req = intent();
    let armed = true;
    // Fail exactly the place request (a 500 before the exchange records anything), not the look-up before it.
    const flaky: KiteBroker = {
      ...env.broker,
      placeOrder: async (p) => {
        if (armed) {
          armed = false;
          await env.control.injectFaults({ failRequests: { count: 1, status: 500 } });
        }
        return env.broker.placeOrder(p);
      },
    };
    const flakyActs = activitiesFor(flaky);
    const failure = await failureOf(run(flakyActs.placeOrder, req));
    expect(failure).toMatchObject({ type: 'BrokerAmbiguous', nonRetryable: false });
    expect(await ordersTagged(req.tag)).toHaveLength(0);
    const retried = await run(flakyActs.placeOrder, req);
    expect(retried.adopted).toBe(false);
    expect(await ordersTagged(req.tag)).toHaveLength(1);
  });

  it('turns a refused order into a non-retryable OrderRejected carrying the broker’s message', async () => {
    const failure = await failureOf(
      run(acts.placeOrder, intent({ tradingsymbol: 'NIFTY00X0000CE' })),
    );
    expect(failure).toMatchObject({ type: 'OrderRejected', nonRetryable: true });
    expect(failure.message).toMatch(/NIFTY00X0000CE/);
  });

  it('reports a post-acceptance rejection through awaitOrder, and a retry with that tag as OrderRejected', async () => {
    const req = intent();
    await env.control.injectFaults({
      rejectOrders: { count: 1, reason: 'RMS: margin exceeds limit' },
    });
    const { orderId } = await run(acts.placeOrder, req);
    const state = await run(acts.awaitOrder, { orderId, timeoutSeconds: 5 });
    expect(state).toMatchObject({
      status: 'REJECTED',
      filledQuantity: 0,
      statusMessage: 'RMS: margin exceeds limit',
    });
    const failure = await failureOf(run(acts.placeOrder, req));
    expect(failure).toMatchObject({
      type: 'OrderRejected',
      nonRetryable: true,
      message: 'RMS: margin exceeds limit',
    });
    expect(await ordersTagged(req.tag)).toHaveLength(1);
  });

  it('refuses to adopt an order whose tag matches but whose terms do not', async () => {
    const req = intent();
    await run(acts.placeOrder, req);
    const failure = await failureOf(run(acts.placeOrder, { ...req, quantity: 130 }));
    expect(failure).toMatchObject({ type: 'TagConflict', nonRetryable: true });
    expect(await ordersTagged(req.tag)).toHaveLength(1);
  });

  it.each([
    [{ tag: 'has space' }, /placeOrder\.tag: .*"has space"/],
    [{ tag: 'x'.repeat(21) }, /placeOrder\.tag/],
    [{ marketProtection: undefined }, /placeOrder\.marketProtection: required for MARKET orders/],
    [{ orderType: 'LIMIT' as const }, /placeOrder\.price: required for LIMIT orders/],
    [
      { orderType: 'LIMIT' as const, price: 100.03 },
      /placeOrder\.price: expected a multiple of the 0\.05 tick, got 100\.03/,
    ],
    [{ quantity: 0 }, /placeOrder\.quantity/],
  ])('rejects bad input %j before it reaches the broker', async (overrides, message) => {
    const before = (await env.broker.getOrders()).length;
    const failure = await failureOf(run(acts.placeOrder, intent(overrides)));
    expect(failure).toMatchObject({ type: 'InvalidRequest', nonRetryable: true });
    expect(failure.message).toMatch(message);
    expect((await env.broker.getOrders()).length).toBe(before);
  });
});

describe('awaitOrder and cancelOrder', () => {
  it('returns the fill of a market order with heartbeats along the way', async () => {
    const { orderId } = await run(acts.placeOrder, intent({ quantity: 130 }));
    const activity = activityEnv();
    const beats: unknown[] = [];
    activity.on('heartbeat', (d: unknown) => beats.push(d));
    const state = await runIn(activity, acts.awaitOrder, { orderId, timeoutSeconds: 5 });
    expect(state).toMatchObject({
      orderId,
      status: 'COMPLETE',
      filledQuantity: 130,
      pendingQuantity: 0,
      timedOut: false,
    });
    expect(state.averagePrice).toBeGreaterThan(0);
    expect(beats[0]).toEqual({ deadline: expect.any(Number) });
  });

  it('wakes on the ticker’s order update instead of waiting for the next poll', async () => {
    const hub: TickHub = createTickHub({ url: env.ex.tickerUrl, ...CREDS });
    try {
      const pushed = activitiesFor(env.broker, { hub, timing: { orderPollMs: 30_000 } });
      await env.control.pinPrice(token, 100);
      const { orderId } = await run(
        pushed.placeOrder,
        intent({ orderType: 'LIMIT', price: 90, marketProtection: undefined }),
      );
      const waiting = run(pushed.awaitOrder, { orderId, timeoutSeconds: 20 });
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      await env.control.pinPrice(token, 89);
      await expect(waiting).resolves.toMatchObject({ status: 'COMPLETE', filledQuantity: 65 });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await env.control.unpin(token);
      hub.close();
    }
  });

  it('keeps the first attempt’s deadline on a retry (from the heartbeat details)', async () => {
    await env.control.pinPrice(token, 100);
    try {
      const { orderId } = await run(
        acts.placeOrder,
        intent({ orderType: 'LIMIT', price: 50, marketProtection: undefined }),
      );
      const retry = activityEnv();
      Object.assign(retry.context.info, { heartbeatDetails: { deadline: Date.now() - 1 } });
      const state = await runIn(retry, acts.awaitOrder, { orderId, timeoutSeconds: 600 });
      expect(state).toMatchObject({ status: 'OPEN', timedOut: true, filledQuantity: 0 });
      expect(await run(acts.cancelOrder, { orderId })).toMatchObject({
        status: 'CANCELLED',
        timedOut: false,
      });
    } finally {
      await env.control.unpin(token);
    }
  });

  it('honours cancellation while waiting', async () => {
    await env.control.pinPrice(token, 100);
    try {
      const { orderId } = await run(
        acts.placeOrder,
        intent({ orderType: 'LIMIT', price: 50, marketProtection: undefined }),
      );
      const activity = activityEnv();
      const waiting = runIn(activity, acts.awaitOrder, { orderId, timeoutSeconds: 30 });
      setTimeout(() => activity.cancel(), 200);
      await expect(waiting).rejects.toMatchObject({ name: 'CancelledFailure' });
      await run(acts.cancelOrder, { orderId });
    } finally {
      await env.control.unpin(token);
    }
  });

  it('cancelOrder is a no-op on a final order', async () => {
    const { orderId } = await run(acts.placeOrder, intent());
    const filled = await run(acts.awaitOrder, { orderId, timeoutSeconds: 5 });
    expect(await run(acts.cancelOrder, { orderId })).toEqual(filled);
  });

  it('names an unknown order as a non-retryable broker rejection', async () => {
    const failure = await failureOf(run(acts.cancelOrder, { orderId: '999999999' }));
    expect(failure).toMatchObject({ type: 'BrokerRejected', nonRetryable: true });
  });
});

describe('partial fills', () => {
  let partial: Env;
  beforeAll(async () => {
    // Slow ticks: the remainder of a partly filled order waits for the next price change.
    partial = await startAdapterEnv({ partialFillRatio: 0.5, tickIntervalMs: 60_000 });
  });
  afterAll(() => partial.ex.close());

  it('returns the partial state on timeout, and cancelling leaves exactly the filled part', async () => {
    const pActs = activitiesFor(partial.broker);
    const chain = await run(pActs.getOptionChain, { underlying: 'NIFTY', strikesAround: 0 });
    const call = chain.options.find((o) => o.optionType === 'CE')!;
    const { orderId } = await run(
      pActs.placeOrder,
      intent({ tradingsymbol: call.tradingSymbol, quantity: 130 }),
    );
    const state = await run(pActs.awaitOrder, { orderId, timeoutSeconds: 0.5 });
    expect(state).toMatchObject({
      status: 'OPEN',
      filledQuantity: 65,
      pendingQuantity: 65,
      timedOut: true,
    });
    const cancelled = await run(pActs.cancelOrder, { orderId });
    expect(cancelled).toMatchObject({
      status: 'CANCELLED',
      filledQuantity: 65,
      pendingQuantity: 0,
    });
    expect(await run(pActs.cancelOrder, { orderId })).toEqual(cancelled);
  });
});

describe('market data', () => {
  it('builds an option chain around spot with quotes, deltas and the live expiries', async () => {
    const chain = await run(acts.getOptionChain, { underlying: 'NIFTY', strikesAround: 2 });
    expect(chain.expiries).toEqual([...chain.expiries].sort());
    expect(chain.expiry).toBe(chain.expiries[0]);
    expect(chain.spot).toBeGreaterThan(10_000);
    const strikes = [...new Set(chain.options.map((o) => o.strike))];
    expect(strikes).toHaveLength(5);
    expect(chain.options).toHaveLength(10);
    const nearest = strikes.reduce((a, b) =>
      Math.abs(b - chain.spot) < Math.abs(a - chain.spot) ? b : a,
    );
    expect(strikes[2]).toBe(nearest);
    for (const o of chain.options) {
      expect(o).toMatchObject({ underlying: 'NIFTY', expiry: chain.expiry, lotSize: 65 });
      expect(o.ltp).toBeGreaterThan(0);
      expect(o.bid).toBeLessThanOrEqual(o.ask);
      if (o.delta !== undefined)
        expect(
          o.optionType === 'CE' ? o.delta > 0 && o.delta < 1 : o.delta < 0 && o.delta > -1,
        ).toBe(true);
    }
    const atmCall = chain.options.find((o) => o.strike === nearest && o.optionType === 'CE')!;
    expect(atmCall.delta).toBeGreaterThan(0.3);
    expect(atmCall.delta).toBeLessThan(0.7);
  });

  it('serves a later expiry on request and names an unknown one', async () => {
    const { expiries } = await run(acts.listExpiries, { underlying: 'NIFTY' });
    expect(expiries.length).toBeGreaterThan(1);
    expect(
      (await run(acts.getOptionChain, { underlying: 'NIFTY', strikesAround: 0 })).expiries,
    ).toEqual(expiries);
    const later = await run(acts.getOptionChain, {
      underlying: 'NIFTY',
      expiry: expiries[1],
      strikesAround: 0,
    });
    expect(later.expiry).toBe(expiries[1]);
    const failure = await failureOf(
      run(acts.getOptionChain, { underlying: 'NIFTY', expiry: '2020-01-07', strikesAround: 0 }),
    );
    expect(failure).toMatchObject({ type: 'InvalidRequest', nonRetryable: true });
    expect(failure.message).toMatch(/getOptionChain\.expiry/);
  });

  it('quotes by token and by symbol', async () => {
    const quotes = await run(acts.getQuote, {
      tokens: [token, 256265],
      symbols: [`NFO:${symbol}`],
    });
    expect(quotes.map((q) => q.symbol)).toEqual([
      `NFO:${symbol}`,
      expect.stringMatching(/^NFO:/),
      'NSE:NIFTY 50',
    ]);
    expect(quotes[1].token).toBe(token);
    expect(quotes[2].ltp).toBeGreaterThan(10_000);
  });
});
