import { createKiteBroker } from '../../src/adapters/kite/client';
import type { Activities, PlaceOrderInput } from '../../src/activities';
import { indexTokenOf } from '../../src/domain/instruments';
import { orderTag } from '../../src/domain/order-tag';
import { BrokerProbe } from '../../src/observability/health';
import { setTokenExpiry } from '../../src/observability/token-expiry';
import { TradingMetrics } from '../../src/observability/trading-metrics';
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

  it('a token known to be expired is not ready, though the broker answers', async () => {
    const probe = new BrokerProbe(env.broker, String(indexTokenOf('NIFTY')), 5_000, () => NOW);
    setTokenExpiry(NOW + 60_000);
    expect(await probe.token()).toMatchObject({ ok: true });
    setTokenExpiry(NOW - 1);
    expect(await probe.token()).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/expired/),
    });
    expect(await probe.broker()).toMatchObject({ ok: true });
  });

  it('a token the broker refuses is not ready, and the broker still counts as reachable', async () => {
    const refused = createKiteBroker({
      restUrl: env.ex.restUrl,
      apiKey: 'paper_api_key',
      accessToken: 'tok_not_the_paper_one',
      timeoutMs: 3_000,
    });
    const probe = new BrokerProbe(refused, String(indexTokenOf('NIFTY')));
    expect(await probe.broker()).toMatchObject({ ok: true });
    const token = await probe.token();
    expect(token).toMatchObject({ ok: false, detail: expect.stringMatching(/refused/) });
    expect(token.detail).not.toContain('tok_not_the_paper_one');
  });

  it('a broker that does not answer is not reachable', async () => {
    const gone = createKiteBroker({
      restUrl: 'http://127.0.0.1:1',
      apiKey: 'paper_api_key',
      accessToken: 'paper_access_token',
      timeoutMs: 1_000,
    });
    expect(await new BrokerProbe(gone, String(indexTokenOf('NIFTY'))).broker()).toMatchObject({
      ok: false,
    });
  });
});
