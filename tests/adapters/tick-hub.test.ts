import { EventEmitter } from 'node:events';
import { TickHub, type TickSource } from '../../src/adapters/kite/tick-hub';

/** An in-memory ticker: the hub's logic without sockets; the real ticker is covered in exchange.test.ts. */
class FakeTicker extends EventEmitter implements TickSource {
  readonly subscribed = new Set<number>();
  readonly calls: string[] = [];
  connected = true;
  subscribe(tokens: number[]): void {
    tokens.forEach((t) => this.subscribed.add(t));
    this.calls.push(`sub ${tokens.join(',')}`);
  }
  unsubscribe(tokens: number[]): void {
    tokens.forEach((t) => this.subscribed.delete(t));
    this.calls.push(`unsub ${tokens.join(',')}`);
  }
  close(): void {}
  tick(token: number, ltp: number, timestamp = 1): void {
    this.emit('tick', { token, ltp, timestamp });
  }
}

const setup = () => {
  const ticker = new FakeTicker();
  return { ticker, hub: new TickHub(ticker, { heartbeatIntervalMs: 20 }) };
};
const never = () => new AbortController().signal;

describe('TickHub.waitForCross', () => {
  it('fires on the first tick at or through a level, with the leg that crossed', async () => {
    const { ticker, hub } = setup();
    const wait = hub.waitForCross(
      [
        { token: 11, below: 100 },
        { token: 22, above: 200.05 },
      ],
      { signal: never() },
    );
    ticker.tick(11, 100.05);
    ticker.tick(22, 200);
    ticker.tick(22, 200.05, 42);
    await expect(wait).resolves.toEqual({
      legIndex: 1,
      token: 22,
      price: 200.05,
      side: 'above',
      at: 42,
      source: 'ticker',
    });
  });

  it('compares in paise, so float noise does not decide a touch', async () => {
    const { ticker, hub } = setup();
    const wait = hub.waitForCross([{ token: 11, below: 0.3 }], { signal: never() });
    ticker.tick(11, 0.1 + 0.2);
    await expect(wait).resolves.toMatchObject({ side: 'below', price: 0.1 + 0.2 });
  });

  it('fires at once when the last known price is already through the level', async () => {
    const { ticker, hub } = setup();
    const first = hub.waitForCross([{ token: 11, above: 500 }], { signal: never() });
    ticker.tick(11, 90);
    const second = hub.waitForCross([{ token: 11, below: 95 }], { signal: never() });
    await expect(second).resolves.toMatchObject({ price: 90, side: 'below' });
    expect(hub.activeWaits).toBe(1);
    // A move that large is believed once the next prints confirm it.
    for (let i = 0; i < 3; i++) ticker.tick(11, 501);
    await first;
  });

  it('forgets prices across a disconnect so a stale price cannot fire a new wait', async () => {
    const { ticker, hub } = setup();
    const holder = hub.waitForCross([{ token: 11, above: 500 }], { signal: never() });
    ticker.tick(11, 90);
    ticker.emit('disconnect');
    const fresh = hub.waitForCross([{ token: 11, below: 95 }], { signal: never() });
    const settled = jest.fn();
    fresh.then(settled);
    await new Promise((r) => setImmediate(r));
    expect(settled).not.toHaveBeenCalled();
    ticker.tick(11, 94);
    await expect(fresh).resolves.toMatchObject({ price: 94 });
    for (let i = 0; i < 3; i++) ticker.tick(11, 500);
    await holder;
  });

  it('subscribes on the first waiter of a token and unsubscribes after the last', async () => {
    const { ticker, hub } = setup();
    const a = new AbortController();
    const b = new AbortController();
    const waitA = hub.waitForCross([{ token: 11, below: 1 }], { signal: a.signal });
    const waitB = hub.waitForCross(
      [
        { token: 11, below: 1 },
        { token: 12, above: 9 },
      ],
      { signal: b.signal },
    );
    expect(ticker.calls).toEqual(['sub 11', 'sub 12']);
    a.abort(new Error('stop a'));
    await expect(waitA).rejects.toThrow('stop a');
    expect(ticker.subscribed).toEqual(new Set([11, 12]));
    ticker.tick(12, 9);
    await waitB;
    expect(ticker.calls).toEqual(['sub 11', 'sub 12', 'unsub 11,12']);
    expect(hub.subscribedTokens).toEqual([]);
  });

  it('rejects with the abort reason and cleans up, also when aborted before arming', async () => {
    const { ticker, hub } = setup();
    const ac = new AbortController();
    ac.abort(new Error('cancelled'));
    await expect(
      hub.waitForCross([{ token: 11, below: 1 }], { signal: ac.signal }),
    ).rejects.toThrow('cancelled');
    expect(ticker.calls).toEqual([]);
  });

  it('heartbeats every interval with each leg’s last price', async () => {
    const { ticker, hub } = setup();
    const beats: (number | null)[][] = [];
    const ac = new AbortController();
    const wait = hub.waitForCross(
      [
        { token: 11, below: 1 },
        { token: 12, above: 99 },
      ],
      {
        signal: ac.signal,
        onHeartbeat: (prices) => beats.push(prices),
      },
    );
    ticker.tick(11, 50);
    await new Promise((r) => setTimeout(r, 70));
    ac.abort(new Error('done'));
    await expect(wait).rejects.toThrow('done');
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats.at(-1)).toEqual([50, null]);
  });

  it('spreads the beats of waits armed together across the interval, each wait beating once an interval', () => {
    jest.useFakeTimers();
    try {
      const hub = new TickHub(new FakeTicker(), { heartbeatIntervalMs: 1_000 });
      const beatsOf = Array.from({ length: 200 }, () => 0);
      const ac = new AbortController();
      beatsOf.forEach((_, i) => {
        void hub
          .waitForCross([{ token: 11 + (i % 3), below: 1 }], {
            signal: ac.signal,
            onHeartbeat: () => (beatsOf[i] += 1),
          })
          .catch(() => undefined);
      });
      const perStep: number[] = [];
      for (let t = 0; t < 10_000; t += 10) {
        const before = beatsOf.reduce((a, b) => a + b, 0);
        jest.advanceTimersByTime(10);
        perStep.push(beatsOf.reduce((a, b) => a + b, 0) - before);
      }
      // 200 beats a second arrive two per 10 ms on average; one loop over every wait put all 200 in one step.
      expect(Math.max(...perStep)).toBeLessThanOrEqual(5);
      expect(Math.min(...beatsOf)).toBeGreaterThanOrEqual(9);
      expect(Math.max(...beatsOf)).toBeLessThanOrEqual(11);
      ac.abort(new Error('done'));
      jest.advanceTimersByTime(5_000);
      expect(beatsOf.reduce((a, b) => a + b, 0)).toBe(perStep.reduce((a, b) => a + b, 0));
    } finally {
      jest.useRealTimers();
    }
  });

  it('stops heartbeating once the feed has been down past the grace period, and resumes on reconnect', async () => {
    const ticker = new FakeTicker();
    const hub = new TickHub(ticker, { heartbeatIntervalMs: 10, feedGraceMs: 40 });
    let beats = 0;
    const ac = new AbortController();
    const wait = hub.waitForCross([{ token: 11, below: 1 }], {
      signal: ac.signal,
      onHeartbeat: () => beats++,
    });
    ticker.connected = false;
    ticker.emit('disconnect');
    await new Promise((r) => setTimeout(r, 80));
    const atSilence = beats;
    await new Promise((r) => setTimeout(r, 80));
    expect(beats).toBe(atSilence);
    ticker.connected = true;
    ticker.emit('connect');
    await new Promise((r) => setTimeout(r, 50));
    expect(beats).toBeGreaterThan(atSilence);
    ac.abort(new Error('done'));
    await expect(wait).rejects.toThrow('done');
  });

  it.each([
    [[], 'at least one leg'],
    [[{ token: 11 }], 'below and/or above'],
    [[{ token: 0, below: 1 }], 'legs[0].token'],
    [[{ token: 11, above: -5 }], 'legs[0].above'],
  ])('rejects bad legs %j', (legs, message) => {
    const { hub } = setup();
    expect(() => hub.waitForCross(legs, { signal: never() })).toThrow(message);
  });

  it('fans one tick out to 1,000 waiters on a token without touching waiters of other tokens', async () => {
    const { ticker, hub } = setup();
    const waits = Array.from({ length: 1000 }, (_, i) =>
      hub.waitForCross([{ token: 100 + (i % 10), below: 50 - (Math.floor(i / 10) % 2) }], {
        signal: never(),
      }),
    );
    expect(ticker.calls).toHaveLength(10);
    for (let n = 0; n < 5; n++) for (let t = 100; t < 110; t++) ticker.tick(t, 60 + n);
    expect(hub.activeWaits).toBe(1000);
    ticker.tick(103, 50); // fires the 50 waiters on 103 whose level is 50, not those at 49
    await Promise.all(waits.filter((_, i) => i % 10 === 3 && Math.floor(i / 10) % 2 === 0));
    expect(hub.activeWaits).toBe(950);
    for (let t = 100; t < 110; t++) ticker.tick(t, 49);
    await Promise.all(waits);
    expect(hub.activeWaits).toBe(0);
    expect(hub.subscribedTokens).toEqual([]);
  });
});

describe('TickHub order updates', () => {
  it('delivers normalised updates for the listened order id only, until unsubscribed', () => {
    const { ticker, hub } = setup();
    const seen: string[] = [];
    const off = hub.onOrderUpdate('A1', (o) =>
      seen.push(`${o.orderId}:${o.status}:${o.filledQuantity}`),
    );
    ticker.emit('order', { order_id: 'A1', status: 'OPEN', filled_quantity: 0 });
    ticker.emit('order', { order_id: 'B2', status: 'COMPLETE', filled_quantity: 65 });
    ticker.emit('order', { order_id: 'A1', status: 'COMPLETE', filled_quantity: 65 });
    off();
    ticker.emit('order', { order_id: 'A1', status: 'CANCELLED', filled_quantity: 65 });
    expect(seen).toEqual(['A1:OPEN:0', 'A1:COMPLETE:65']);
  });
});

describe('TickHub: prints a stop may not fire on, and tokens gone quiet', () => {
  const clocked = () => {
    const ticker = new FakeTicker();
    let now = 1_000_000;
    const hub = new TickHub(ticker, { heartbeatIntervalMs: 20, maxJumpPct: 50, now: () => now });
    return { ticker, hub, advance: (ms: number) => (now += ms) };
  };

  it('never fires on a zero print or an isolated outlier, and counts them', async () => {
    const { ticker, hub } = clocked();
    const wait = hub.waitForCross([{ token: 11, below: 60 }], { signal: never() });
    const settled = jest.fn();
    wait.then(settled);
    ticker.tick(11, 100);
    ticker.tick(11, 0);
    ticker.tick(11, 20);
    ticker.tick(11, 100);
    await new Promise((r) => setImmediate(r));
    expect(settled).not.toHaveBeenCalled();
    expect(hub.rejected).toEqual({ invalid: 1, jump: 1 });
    ticker.tick(11, 59.95);
    await expect(wait).resolves.toMatchObject({ price: 59.95, source: 'ticker' });
  });

  it('lists a watched token with no believable print as stale, and a REST price can fire it', async () => {
    const { ticker, hub, advance } = clocked();
    const wait = hub.waitForCross([{ token: 11, below: 60 }], { signal: never() });
    ticker.tick(11, 100);
    advance(4_000);
    expect(hub.staleTokens(5_000)).toEqual([]);
    ticker.tick(11, 0);
    advance(2_000);
    // The zero print did not make the feed look alive.
    expect(hub.staleTokens(5_000)).toEqual([11]);
    hub.offerPrice(11, 59);
    await expect(wait).resolves.toMatchObject({ price: 59, source: 'rest' });
    expect(hub.staleTokens(5_000)).toEqual([]);
  });
});
