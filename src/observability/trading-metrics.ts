import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FeedWatchdog } from '../adapters/kite/feed-watchdog';
import type { TickHub } from '../adapters/kite/tick-hub';
import { METRICS } from './metric-names';
import { tokenExpiry } from './token-expiry';

export type OrderOutcome = 'placed' | 'adopted' | 'rejected';

/** What placeOrder reports (ActivityDeps.metrics). */
export interface OrderMetrics {
  order(outcome: OrderOutcome, side: 'BUY' | 'SELL'): void;
  /** Milliseconds from the tick that crossed an exit level to the exit order's acceptance. */
  observeTickToExit(ms: number): void;
}

/** Where the feed metrics are read from, at each scrape. */
export interface FeedSources {
  hub: Pick<TickHub, 'quietMs' | 'isConnected' | 'rejected'>;
  watchdog: Pick<FeedWatchdog, 'stale'>;
  /** The index token of each underlying whose staleness is reported. */
  indexTokens: ReadonlyMap<string, number>;
}

/** An exit should leave within a second of its tick; the tail shows broker and retry trouble. */
const TICK_TO_EXIT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];

export interface TradingMetricsOptions {
  now?: () => number;
}

/**
 * The worker's trading metrics in their own registry. Counters are fed by
 * the activities; the feed and token gauges are read from their sources when
 * Prometheus scrapes; the visibility gauges are set by PositionCounts.
 */
export class TradingMetrics implements OrderMetrics {
  readonly registry = new Registry();
  readonly positions: Gauge<'phase'>;
  readonly exitBlocked: Gauge;
  readonly needsAttention: Gauge;
  readonly pnl: Gauge<'kind'>;
  private readonly orders: Counter<'outcome' | 'side'>;
  private readonly tickToExit: Histogram;
  private feed: FeedSources | undefined;

  constructor({ now = Date.now }: TradingMetricsOptions = {}) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.positions = new Gauge({
      name: METRICS.positions,
      help: 'Running position workflows of this task queue, by phase (Temporal visibility)',
      labelNames: ['phase'],
      registers,
    });
    this.exitBlocked = new Gauge({
      name: METRICS.exitBlocked,
      help: 'Running positions whose exit order cannot be placed (ExitBlocked = true)',
      registers,
    });
    this.needsAttention = new Gauge({
      name: METRICS.needsAttention,
      help: 'Running positions a person should look at (NeedsAttention = true)',
      registers,
    });
    this.pnl = new Gauge({
      name: METRICS.pnl,
      help: "Today's P&L from the account book in rupees: realised (closed) and open (marked)",
      labelNames: ['kind'],
      registers,
    });
    this.orders = new Counter({
      name: METRICS.orders,
      help: 'placeOrder results: placed at the broker, adopted by tag, or rejected by the broker',
      labelNames: ['outcome', 'side'],
      registers,
    });
    this.tickToExit = new Histogram({
      name: METRICS.tickToExit,
      help: 'From the tick that crossed an exit level to the broker accepting the exit order',
      buckets: TICK_TO_EXIT_BUCKETS,
      registers,
    });
    const feed = () => this.feed;
    new Gauge({
      name: METRICS.feedStaleness,
      help: 'Seconds since the last believable tick of each underlying index',
      labelNames: ['underlying'],
      registers,
      collect() {
        this.reset();
        const sources = feed();
        for (const [underlying, token] of sources?.indexTokens ?? []) {
          const quietMs = sources?.hub.quietMs(token);
          if (quietMs !== undefined) this.set({ underlying }, quietMs / 1000);
        }
      },
    });
    new Gauge({
      name: METRICS.feedStaleTokens,
      help: 'Watched tokens priced over REST because their ticks went quiet (feed watchdog)',
      registers,
      collect() {
        const sources = feed();
        if (sources) this.set(sources.watchdog.stale.size);
      },
    });
    new Gauge({
      name: METRICS.feedConnected,
      help: '1 while the ticker connection is up',
      registers,
      collect() {
        const sources = feed();
        if (sources) this.set(sources.hub.isConnected ? 1 : 0);
      },
    });
    new Counter({
      name: METRICS.ticksRejected,
      help: 'Prints the tick hub did not believe: invalid (cannot be real) or jump (unconfirmed)',
      labelNames: ['reason'],
      registers,
      // The hub keeps the running totals; the counter mirrors them at each scrape.
      collect() {
        const sources = feed();
        if (!sources) return;
        this.reset();
        for (const [reason, n] of Object.entries(sources.hub.rejected)) this.inc({ reason }, n);
      },
    });
    new Gauge({
      name: METRICS.tokenExpiry,
      help: 'Seconds until the Kite access token expires (negative once expired, NaN while unknown)',
      registers,
      // A label-less gauge always has a sample, so an unknown expiry reads NaN rather than 0.
      collect() {
        const at = tokenExpiry();
        this.set(at === undefined ? NaN : (at - now()) / 1000);
      },
    });
  }

  order(outcome: OrderOutcome, side: 'BUY' | 'SELL'): void {
    this.orders.inc({ outcome, side });
  }

  observeTickToExit(ms: number): void {
    // A clock step can put the tick after the acceptance; that is no latency to record.
    if (Number.isFinite(ms) && ms >= 0) this.tickToExit.observe(ms / 1000);
  }

  /** The worker's hub and watchdog, once they exist. */
  watchFeed(sources: FeedSources): void {
    this.feed = sources;
  }
}
