import { createKiteBroker } from '../../src/adapters/kite/client';
import type { Activities, PlaceOrderInput } from '../../src/activities';
import { indexTokenOf } from '../../src/domain/instruments';
import { orderTag } from '../../src/domain/order-tag';
import { brokerCheck, tokenCheck } from '../../src/observability/health';
import { setTokenExpiry } from '../../src/observability/token-expiry';
import { TradingMetrics } from '../../src/observability/trading-metrics';
import { BrokerSession } from '../../src/workers/broker-session';
import { sampleValue } from '../harness/prometheus-text';
import { activitiesFor, failureOf, run, startAdapterEnv } from './helpers';

type Env = Awaited<ReturnType<typeof startAdapterEnv>>;
let env: Env;
let metrics: TradingMetrics;
let acts: Activities;
let symbol: string;
let seq = 0;
const NOW = 1_800_000_000_000;

beforeAll(async () => {
  env = await startAdapterEnv();
  metrics = new TradingMetrics({ now: () => NOW });
  acts = activitiesFor(env.broker, { metrics, now: () => NOW });
  const chain = await run(acts.getOptionChain, { underlying: 'NIFTY', strikesAround: 0 });
  symbol = chain.options.find((o) => o.optionType === 'CE')!.tradingSymbol;
});
afterEach(() => setTokenExpiry(undefined));
afterAll(() => env.ex.close());

const intent = (over: Partial<PlaceOrderInput> = {}): PlaceOrderInput => ({
  tag: orderTag(`pos-metrics-${++seq}`, 'ENTRY', 0),
  tradingsymbol: symbol,
  exchange: 'NFO',
  transactionType: 'BUY',
  quantity: 65,
  product: 'MIS',
  orderType: 'MARKET',
  marketProtection: -1,
  ...over,
});
const text = () => metrics.registry.metrics();
const orders = async (outcome: string, side: string) =>
  sampleValue(await text(), 'trader_orders_total', { outcome, side }) ?? 0;

describe('placeOrder counts what it did', () => {
  it('placed, then adopted on a repeat of the same intent, and rejected when the broker refuses', async () => {
    const req = intent();
    await run(acts.placeOrder, req);
    expect(await orders('placed', 'BUY')).toBe(1);
    await run(acts.placeOrder, req);
    expect(await orders('adopted', 'BUY')).toBe(1);
    expect(await orders('placed', 'BUY')).toBe(1);
    await failureOf(run(acts.placeOrder, intent({ tradingsymbol: 'NIFTY00X0000CE' })));
    expect(await orders('rejected', 'BUY')).toBe(1);
  });

  it('times an exit from its deciding tick (intentAt) to the broker accepting it', async () => {
    await run(acts.placeOrder, intent());
    const sell = {
      transactionType: 'SELL' as const,
      tag: orderTag(`pos-metrics-${++seq}`, 'EXIT', 0),
    };
    await run(acts.placeOrder, intent({ ...sell, intentAt: NOW - 750 }));
    const t = await text();
    expect(sampleValue(t, 'trader_tick_to_exit_seconds_count')).toBe(1);
    expect(sampleValue(t, 'trader_tick_to_exit_seconds_sum')).toBeCloseTo(0.75);
    expect(sampleValue(t, 'trader_tick_to_exit_seconds_bucket', { le: '0.5' })).toBe(0);
    expect(sampleValue(t, 'trader_tick_to_exit_seconds_bucket', { le: '1' })).toBe(1);
    // An order without intentAt (an entry, a manual exit) is not timed.
    await run(
      acts.placeOrder,
      intent({ ...sell, tag: orderTag(`pos-metrics-${++seq}`, 'EXIT', 0) }),
    );
    expect(sampleValue(await text(), 'trader_tick_to_exit_seconds_count')).toBe(1);
    expect(await orders('placed', 'SELL')).toBe(2);
  });

  it('refuses an intentAt that is not epoch milliseconds, naming the field', async () => {
    const failure = await failureOf(run(acts.placeOrder, intent({ intentAt: -5 })));
    expect(failure.message).toMatch(/intentAt/);
  });
});

describe('token and broker readiness', () => {
  it('reads the token expiry as seconds left, and NaN while nobody has said', async () => {
    expect(sampleValue(await text(), 'trader_token_expiry_seconds')).toBeNaN();
    setTokenExpiry(NOW + 90_000);
    expect(sampleValue(await text(), 'trader_token_expiry_seconds')).toBe(90);
  });

  it('a token past its expiry, or refused by the broker, is not ready; one only expiring still is', async () => {
    let now = NOW;
    const session = new BrokerSession(
      {
        accessToken: 'tok_session_a1b2c3',
        source: 'file',
        loginAt: NOW - 3_600_000,
        expiresAt: NOW + 3_600_000,
      },
      () => now,
    );
    const check = tokenCheck(session);
    expect(await check()).toMatchObject({ ok: true, detail: expect.stringMatching(/^valid/) });
    now = NOW + 3_000_000;
    expect(await check()).toMatchObject({ ok: true, detail: expect.stringMatching(/^expiring/) });
    now = NOW + 3_600_000;
    expect(await check()).toMatchObject({ ok: false, detail: expect.stringMatching(/^expired/) });
    now = NOW;
    session.judged({
      token: 'tok_session_a1b2c3',
      accepted: false,
      sentAt: NOW,
      operation: 'getLtp',
    });
    const refused = await check();
    expect(refused).toMatchObject({ ok: false, detail: expect.stringMatching(/^logged-out/) });
    expect(refused.detail).not.toContain('tok_session_a1b2c3');
  });

  it('a broker that refuses the token still answers', async () => {
    const refused = createKiteBroker({
      restUrl: env.ex.restUrl,
      apiKey: 'paper_api_key',
      accessToken: 'tok_not_the_paper_one',
      timeoutMs: 3_000,
    });
    const result = await brokerCheck(refused, String(indexTokenOf('NIFTY')))();
    expect(result).toMatchObject({ ok: true, detail: expect.stringMatching(/^answers: /) });
    expect(result.detail).not.toContain('tok_not_the_paper_one');
    expect(await brokerCheck(env.broker, String(indexTokenOf('NIFTY')))()).toEqual({
      ok: true,
      detail: 'REST answers',
    });
  });

  it('a broker that does not answer is not reachable', async () => {
    const gone = createKiteBroker({
      restUrl: 'http://127.0.0.1:1',
      apiKey: 'paper_api_key',
      accessToken: 'paper_access_token',
      timeoutMs: 1_000,
    });
    expect(await brokerCheck(gone, String(indexTokenOf('NIFTY')))()).toMatchObject({ ok: false });
  });
});
