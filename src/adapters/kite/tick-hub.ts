import type { Logger } from 'pino';
import { toPaise } from '../../domain/money';
import { judgeTick, type TickFilterState } from '../../domain/tick-filter';
import { normalizeOrder } from './normalize';
import { createTicker, type Tick, type TickerClient, type TickerOptions } from './ticker';
import type { BrokerOrder } from './types';

/** The part of the ticker client the hub relies on; tests substitute an in-memory source. */
export type TickSource = Pick<
  TickerClient,
  'subscribe' | 'unsubscribe' | 'on' | 'close' | 'connected'
>;

export interface CrossLeg {
  token: number;
  /** Fires when ltp <= below. */
  below?: number;
  /** Fires when ltp >= above. */
  above?: number;
}

export interface Cross {
  legIndex: number;
  token: number;
  price: number;
  side: 'below' | 'above';
  /** Epoch ms of the tick that crossed. */
  at: number;
  /** The ticker, or the REST fallback while the ticker was silent on the token. */
  source?: 'ticker' | 'rest';
}

export interface WaitForCrossOptions {
  signal: AbortSignal;
  /** Called every heartbeat interval with each leg's last price (null before the first tick). */
  onHeartbeat?: (lastPrices: (number | null)[]) => void;
}

export interface TickHubOptions {
  logger?: Logger;
  heartbeatIntervalMs?: number;
  /**
   * A feed down for longer than this stops the waits' heartbeats, so their
   * activities time out and Temporal retries them, on a worker that can see
   * prices if there is one. Shorter outages are ridden out in place.
   */
  feedGraceMs?: number;
  /** A print further than this from the last good one is held until confirmed (feed.maxTickJumpPct). */
  maxJumpPct?: number;
  now?: () => number;
}

/** Why prints were not believed, for logs and metrics. */
export interface RejectedTicks {
  invalid: number;
  jump: number;
}

/** At most one log line per token per this long about rejected prints. */
const REJECT_LOG_EVERY_MS = 60_000;

/** One leg of one wait, in the per-token index; levels in paise so a tick compares two integers. */
interface LegWatch {
  wait: CrossWait;
  legIndex: number;
  token: number;
  belowPaise: number;
  abovePaise: number;
}

interface CrossWait {
  watches: LegWatch[];
  settle(outcome: { cross: Cross } | { error: unknown }): void;
  stopHeartbeats?: () => void;
}

/** The golden ratio's fractional part: consecutive multiples of it spread evenly over [0, 1). */
const PHASE_STEP = (Math.sqrt(5) - 1) / 2;

export class TickHub {
  private readonly watchesByToken = new Map<number, Set<LegWatch>>();
  private readonly refs = new Map<number, number>();
  private readonly lastTick = new Map<number, Tick>();
  /** When each token last had a print we believed, by this process's clock. */
  private readonly lastTickAt = new Map<number, number>();
  /** When each token was first watched since it was last idle. */
  private readonly watchedSince = new Map<number, number>();
  private readonly filters = new Map<number, TickFilterState>();
  private readonly rejectLoggedAt = new Map<number, number>();
  readonly rejected: RejectedTicks = { invalid: 0, jump: 0 };
  private readonly maxJumpPct: number;
  private readonly now: () => number;
  private readonly orderListeners = new Map<string, Set<(order: BrokerOrder) => void>>();
  private readonly waits = new Set<CrossWait>();
  private readonly heartbeatIntervalMs: number;
  private readonly feedGraceMs: number;
  private readonly logger: Logger | undefined;
  /** Waits armed so far; each one's heartbeat phase follows from its place in this count. */
  private armed = 0;
  /** When the feed went down; undefined while connected. */
  private feedDownSince: number | undefined;

  constructor(
    private readonly source: TickSource,
    options: TickHubOptions = {},
  ) {
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 2_000;
    this.feedGraceMs = options.feedGraceMs ?? 30_000;
    this.maxJumpPct = options.maxJumpPct ?? 50;
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
    this.feedDownSince = source.connected ? undefined : Date.now();
    source.on('tick', (tick) => this.onTick(tick));
    source.on('order', (update) => this.onOrder(update));
    // The ticker resubscribes by itself after a reconnect.
    source.on('connect', () => {
      this.feedDownSince = undefined;
      this.logger?.info({ tokens: this.refs.size }, 'tick stream connected');
    });
    source.on('disconnect', () => {
      this.feedDownSince = Date.now();
      // Prices from before the gap must not decide a cross when a wait is armed during it,
      // nor make the first print after it look like a jump.
      this.lastTick.clear();
      this.filters.clear();
      this.logger?.warn(
        { tokens: this.refs.size, waits: this.waits.size },
        'tick stream disconnected',
      );
    });
  }

  get isConnected(): boolean {
    return this.source.connected;
  }

  /** Tokens currently subscribed upstream. */
  get subscribedTokens(): number[] {
    return [...this.refs.keys()];
  }

  get activeWaits(): number {
    return this.waits.size;
  }

  lastPrice(token: number): number | undefined {
    return this.lastTick.get(token)?.ltp;
  }

  /**
   * Watched tokens with no believable print for `staleAfterMs` (counting from
   * when the watch began, for a token that never printed): the feed is
   * connected, or says it is, but says nothing useful about them.
   */
  staleTokens(staleAfterMs: number): number[] {
    return [...this.watchesByToken.keys()].filter(
      (token) => (this.quietMs(token) ?? 0) > staleAfterMs,
    );
  }

  /** How long a held token has gone without a believable print (since its hold began, if none yet). */
  quietMs(token: number): number | undefined {
    const last = this.lastTickAt.get(token) ?? this.watchedSince.get(token);
    return last === undefined ? undefined : this.now() - last;
  }

  /**
   * A price from somewhere other than the ticker (the REST fallback while a
   * token is stale): judged like a tick and checked against the waits, but
   * it does not make the feed look alive.
   */
  offerPrice(token: number, ltp: number): void {
    if (!this.refs.has(token)) return;
    this.onPrice({ token, ltp, timestamp: this.now() }, 'rest');
  }

  /** Refcounted: the upstream subscription is made by the first holder of a token. */
  acquire(tokens: readonly number[]): void {
    const fresh: number[] = [];
    for (const token of tokens) {
      const n = this.refs.get(token) ?? 0;
      this.refs.set(token, n + 1);
      if (n === 0) fresh.push(token);
    }
    for (const token of fresh) this.watchedSince.set(token, this.now());
    if (fresh.length > 0) this.source.subscribe(fresh, 'ltp');
  }

  /** ... and dropped by the last. */
  release(tokens: readonly number[]): void {
    const idle: number[] = [];
    for (const token of tokens) {
      const n = this.refs.get(token) ?? 0;
      if (n > 1) {
        this.refs.set(token, n - 1);
      } else if (n === 1) {
        this.refs.delete(token);
        this.lastTick.delete(token);
        this.lastTickAt.delete(token);
        this.watchedSince.delete(token);
        this.filters.delete(token);
        idle.push(token);
      }
    }
    if (idle.length > 0) this.source.unsubscribe(idle);
  }

  /**
   * Resolves the moment any leg's ltp is at or through its level, including
   * at once when the last known price already is. Rejects with the signal's
   * reason when aborted. Waiting holds no state outside this process, so a
   * retried caller simply arms again.
   */
  waitForCross(legs: readonly CrossLeg[], options: WaitForCrossOptions): Promise<Cross> {
    validateLegs(legs);
    const { signal, onHeartbeat } = options;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<Cross>((resolve, reject) => {
      const tokens = legs.map((l) => l.token);
      const onAbort = () => wait.settle({ error: signal.reason });
      const wait: CrossWait = {
        watches: [],
        settle: (outcome) => {
          if (!this.waits.delete(wait)) return;
          wait.stopHeartbeats?.();
          signal.removeEventListener('abort', onAbort);
          for (const w of wait.watches) {
            const set = this.watchesByToken.get(w.token);
            set?.delete(w);
            if (set?.size === 0) this.watchesByToken.delete(w.token);
          }
          this.release(tokens);
          if ('cross' in outcome) resolve(outcome.cross);
          else reject(outcome.error);
        },
      };
      wait.watches = legs.map((leg, legIndex) => ({
        wait,
        legIndex,
        token: leg.token,
        belowPaise: leg.below === undefined ? -Infinity : toPaise(leg.below),
        abovePaise: leg.above === undefined ? Infinity : toPaise(leg.above),
      }));
      this.waits.add(wait);
      if (onHeartbeat) wait.stopHeartbeats = this.startHeartbeats(wait, onHeartbeat);
      signal.addEventListener('abort', onAbort, { once: true });
      this.acquire(tokens);
      for (const w of wait.watches) {
        let set = this.watchesByToken.get(w.token);
        if (!set) this.watchesByToken.set(w.token, (set = new Set()));
        set.add(w);
      }
      for (const w of wait.watches) {
        const tick = this.lastTick.get(w.token);
        if (tick) this.check(w, tick, toPaise(tick.ltp), 'ticker');
      }
    });
  }

  /** Kite order updates for one order id; returns the unsubscribe function. */
  onOrderUpdate(orderId: string, listener: (order: BrokerOrder) => void): () => void {
    let set = this.orderListeners.get(orderId);
    if (!set) this.orderListeners.set(orderId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.orderListeners.get(orderId) === set)
        this.orderListeners.delete(orderId);
    };
  }

  /** Fails every pending wait (their activities retry elsewhere) and closes the ticker. */
  close(): void {
    const closed = new Error('tick hub closed');
    for (const wait of [...this.waits]) wait.settle({ error: closed });
    this.orderListeners.clear();
    this.source.close();
  }

  private onTick(tick: Tick): void {
    // A tick may still arrive for a token just unsubscribed; caching it would resurrect a stale price.
    if (!this.refs.has(tick.token)) return;
    if (this.onPrice(tick, 'ticker')) this.lastTickAt.set(tick.token, this.now());
  }

  /** Believed prints move the last price and are checked against the waits; true when believed. */
  private onPrice(tick: Tick, source: 'ticker' | 'rest'): boolean {
    const verdict = judgeTick(this.filters.get(tick.token) ?? {}, tick.ltp, {
      maxJumpPct: this.maxJumpPct,
    });
    this.filters.set(tick.token, verdict.state);
    if (!verdict.accepted) {
      this.rejected[verdict.reason] += 1;
      this.logRejected(tick, source, verdict.reason);
      return false;
    }
    this.lastTick.set(tick.token, tick);
    const watches = this.watchesByToken.get(tick.token);
    if (!watches) return true;
    const paise = toPaise(tick.ltp);
    for (const w of watches) this.check(w, tick, paise, source);
    return true;
  }

  private logRejected(tick: Tick, source: string, reason: string): void {
    const now = this.now();
    if (now - (this.rejectLoggedAt.get(tick.token) ?? -Infinity) < REJECT_LOG_EVERY_MS) return;
    this.rejectLoggedAt.set(tick.token, now);
    this.logger?.warn(
      { token: tick.token, ltp: tick.ltp, source, reason, rejected: this.rejected },
      reason === 'invalid'
        ? 'ignored a price that cannot be real'
        : 'ignored a price far from the last good one until the next prints confirm it',
    );
  }

  private check(w: LegWatch, tick: Tick, paise: number, source: 'ticker' | 'rest'): void {
    const side = paise <= w.belowPaise ? 'below' : paise >= w.abovePaise ? 'above' : undefined;
    if (!side) return;
    w.wait.settle({
      cross: {
        legIndex: w.legIndex,
        token: w.token,
        price: tick.ltp,
        side,
        at: tick.timestamp,
        source,
      },
    });
  }

  private onOrder(update: Record<string, unknown>): void {
    const listeners = this.orderListeners.get(String(update.order_id));
    if (!listeners) return;
    const order = normalizeOrder(update);
    for (const listener of [...listeners]) listener(order);
  }

  /**
   * Beats one wait every interval on its own timer. The first beat comes at
   * a phase spread across the interval from the waits armed before it: one
   * loop over a thousand waits held the event loop for a hundred
   * milliseconds each interval, and a crossing that arrived then waited
   * behind it. Returns the function that stops the beats.
   */
  private startHeartbeats(
    wait: CrossWait,
    onHeartbeat: NonNullable<WaitForCrossOptions['onHeartbeat']>,
  ): () => void {
    const beat = () => {
      if (this.feedDownSince !== undefined && Date.now() - this.feedDownSince > this.feedGraceMs) {
        return;
      }
      onHeartbeat(wait.watches.map((w) => this.lastTick.get(w.token)?.ltp ?? null));
    };
    const phase = ((this.armed++ * PHASE_STEP) % 1) * this.heartbeatIntervalMs;
    let interval: NodeJS.Timeout | undefined;
    const first = setTimeout(() => {
      interval = setInterval(beat, this.heartbeatIntervalMs);
      interval.unref();
      beat();
    }, phase);
    first.unref();
    return () => {
      clearTimeout(first);
      clearInterval(interval);
    };
  }
}

function validateLegs(legs: readonly CrossLeg[]): void {
  if (legs.length === 0) throw new RangeError('legs: expected at least one leg');
  legs.forEach((leg, i) => {
    if (!Number.isInteger(leg.token) || leg.token <= 0) {
      throw new RangeError(`legs[${i}].token: expected a positive integer, got ${leg.token}`);
    }
    if (leg.below === undefined && leg.above === undefined) {
      throw new RangeError(`legs[${i}]: expected below and/or above`);
    }
    for (const key of ['below', 'above'] as const) {
      const level = leg[key];
      if (level !== undefined && !(Number.isFinite(level) && level > 0)) {
        throw new RangeError(`legs[${i}].${key}: expected a positive price, got ${level}`);
      }
    }
  });
}

/** The worker's hub over its one ticker connection; closing the hub closes the ticker. */
export const createTickHub = (ticker: TickerOptions, options: TickHubOptions = {}): TickHub =>
  new TickHub(createTicker(ticker), options);
