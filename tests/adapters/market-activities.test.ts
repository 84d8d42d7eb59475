import { createTickHub, type TickHub } from '../../src/adapters/kite/tick-hub';
import type { Activities } from '../../src/activities';
import {
  activitiesFor,
  activityEnv,
  CREDS,
  failureOf,
  run,
  runIn,
  startAdapterEnv,
} from './helpers';

let env: Awaited<ReturnType<typeof startAdapterEnv>>;
let hub: TickHub;
let acts: Activities;
let tokens: number[];

const never = () => new AbortController().signal;
const pinAll = (ltp: number) => Promise.all(tokens.map((t) => env.control.pinPrice(t, ltp)));

beforeAll(async () => {
  env = await startAdapterEnv();
  hub = createTickHub({ url: env.ex.tickerUrl, ...CREDS }, { heartbeatIntervalMs: 50 });
  acts = activitiesFor(env.broker, { hub });
  const chain = await run(acts.getOptionChain, { underlying: 'NIFTY', strikesAround: 2 });
  tokens = chain.options.map((o) => o.token);
});
afterEach(async () => {
  await Promise.all(tokens.map((t) => env.control.unpin(t)));
});
afterAll(async () => {
  hub.close();
  await env.ex.close();
});

describe('TickHub over the real ticker', () => {
  it('fires when a pinned price crosses the level', async () => {
    const [token] = tokens;
    await env.control.pinPrice(token, 100);
    const wait = hub.waitForCross([{ token, below: 95 }], { signal: never() });
    await new Promise((r) => setTimeout(r, 200));
    await env.control.pinPrice(token, 94.95);
    await expect(wait).resolves.toMatchObject({ legIndex: 0, token, price: 94.95, side: 'below' });
  });

  it('fires at once when the price is already through the level', async () => {
    const [token] = tokens;
    await env.control.pinPrice(token, 100);
    const holder = new AbortController();
    const held = hub
      .waitForCross([{ token, above: 1_000 }], { signal: holder.signal })
      .catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    expect(hub.lastPrice(token)).toBe(100);
    const started = Date.now();
    await expect(
      hub.waitForCross([{ token, above: 99 }], { signal: never() }),
    ).resolves.toMatchObject({ price: 100 });
    expect(Date.now() - started).toBeLessThan(20);
    holder.abort();
    await held;
  });

  it('keeps one upstream subscription per token and drops it with the last waiter', async () => {
    const [a, b] = tokens;
    await env.control.pinPrice(a, 100);
    await env.control.pinPrice(b, 100);
    const first = new AbortController();
    const w1 = hub
      .waitForCross([{ token: a, below: 1 }], { signal: first.signal })
      .catch(() => 'aborted');
    const w2 = hub.waitForCross(
      [
        { token: a, below: 1 },
        { token: b, above: 150 },
      ],
      { signal: never() },
    );
    expect(hub.subscribedTokens.sort()).toEqual([a, b].sort());
    first.abort();
    expect(await w1).toBe('aborted');
    expect(hub.subscribedTokens.sort()).toEqual([a, b].sort());
    await env.control.pinPrice(b, 150);
    await expect(w2).resolves.toMatchObject({ legIndex: 1, side: 'above' });
    expect(hub.subscribedTokens).toEqual([]);
    expect(hub.lastPrice(a)).toBeUndefined();
  });

  it('keeps waiting across a dropped ticker connection and fires after the reconnect', async () => {
    const [token] = tokens;
    await env.control.pinPrice(token, 100);
    const wait = hub.waitForCross([{ token, above: 120 }], { signal: never() });
    await env.control.dropTickerConnections();
    await new Promise((r) => setTimeout(r, 100));
    expect(hub.isConnected).toBe(false);
    await env.control.pinPrice(token, 121);
    await expect(wait).resolves.toMatchObject({ price: 121 });
  });

  it('fans ticks out to 1,000 concurrent waiters', async () => {
    await pinAll(100);
    const waits = Array.from({ length: 1_000 }, (_, i) =>
      hub.waitForCross([{ token: tokens[i % tokens.length], below: 50, above: 200 + (i % 7) }], {
        signal: never(),
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(hub.activeWaits).toBe(1_000);
    expect(hub.subscribedTokens).toHaveLength(tokens.length);
    const started = Date.now();
    await pinAll(49);
    const fired = await Promise.all(waits);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(fired.every((c) => c.side === 'below' && c.price === 49)).toBe(true);
    expect(hub.activeWaits).toBe(0);
    expect(hub.subscribedTokens).toEqual([]);
  });
});

describe('awaitPriceTrigger', () => {
  it('heartbeats while waiting and returns the leg that fired', async () => {
    const [sl, other] = tokens;
    await env.control.pinPrice(sl, 100);
    const activity = activityEnv();
    const beats: unknown[] = [];
    activity.on('heartbeat', (d: unknown) => beats.push(d));
    const trigger = runIn(activity, acts.awaitPriceTrigger, {
      legs: [
        { token: other, above: 10_000 },
        { token: sl, below: 80, above: 130 },
      ],
    });
    await new Promise((r) => setTimeout(r, 300));
    await env.control.pinPrice(sl, 130);
    await expect(trigger).resolves.toMatchObject({
      legIndex: 1,
      token: sl,
      price: 130,
      side: 'above',
    });
    expect(beats.length).toBeGreaterThanOrEqual(3);
    expect(beats.at(-1)).toEqual({ lastPrices: [expect.any(Number), 100] });
  });

  it('stops waiting and releases its subscription when cancelled', async () => {
    const [token] = tokens;
    const activity = activityEnv();
    const trigger = runIn(activity, acts.awaitPriceTrigger, { legs: [{ token, below: 1 }] });
    await new Promise((r) => setTimeout(r, 100));
    expect(hub.subscribedTokens).toContain(token);
    activity.cancel();
    await expect(trigger).rejects.toMatchObject({ name: 'CancelledFailure' });
    expect(hub.subscribedTokens).toEqual([]);
  });

  it('names bad legs as InvalidRequest and a worker without a hub as Misconfigured', async () => {
    const bad = await failureOf(run(acts.awaitPriceTrigger, { legs: [{ token: tokens[0] }] }));
    expect(bad).toMatchObject({ type: 'InvalidRequest', nonRetryable: true });
    expect(bad.message).toMatch(/awaitPriceTrigger\.legs\.0: expected below and\/or above/);
    const hubless = activitiesFor(env.broker);
    const failure = await failureOf(
      run(hubless.awaitPriceTrigger, { legs: [{ token: tokens[0], below: 1 }] }),
    );
    expect(failure).toMatchObject({ type: 'Misconfigured', nonRetryable: true });
  });
});
