import type { Logger } from 'pino';
import type { KiteBroker } from './client';
import type { TickHub } from './tick-hub';

export interface FeedWatchdogOptions {
  /** No believable print on a watched token for this long, while the market is open, is a stale feed. */
  staleAfterMs: number;
  /** How often stale tokens are priced over REST instead (one request for all of them). */
  pollIntervalMs: number;
  /** Whether the exchange is matching now; a quiet feed outside the session is normal. */
  isOpen: (now: number) => boolean;
  logger?: Logger;
  now?: () => number;
  /** Told once per token each time it goes quiet, with when it did (an alert's dedupe key). */
  onStale?: (token: number, since: number) => void;
}

/**
 * Stops must not depend on one feed. A ticker can stay connected and say
 * nothing about a token (an exchange-side stall, a dropped subscription);
 * while that lasts, the worker prices the stale tokens over REST once a
 * `pollIntervalMs` (one batched LTP call, well inside Kite's 10 requests/s)
 * and feeds those prices to the same waits, and the feed is flagged stale.
 */
export class FeedWatchdog {
  private readonly staleSince = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private readonly now: () => number;
  /** REST polls made and failed while stale, for logs and metrics. */
  readonly polls = { made: 0, failed: 0 };

  constructor(
    private readonly hub: TickHub,
    private readonly broker: Pick<KiteBroker, 'getLtp'>,
    private readonly options: FeedWatchdogOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.options.pollIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Watched tokens currently flagged stale, with when they went quiet. */
  get stale(): ReadonlyMap<number, number> {
    return this.staleSince;
  }

  /** One pass: flag what went quiet or recovered, then price the quiet tokens over REST. */
  async check(): Promise<void> {
    const now = this.now();
    const stale = this.options.isOpen(now) ? this.hub.staleTokens(this.options.staleAfterMs) : [];
    this.flag(stale, now);
    if (stale.length === 0 || this.polling) return;
    this.polling = true;
    try {
      this.polls.made += 1;
      const prices = await this.broker.getLtp(stale.map(String));
      for (const token of stale) {
        const ltp = prices.get(String(token));
        if (ltp !== undefined) this.hub.offerPrice(token, ltp);
      }
    } catch (err) {
      this.polls.failed += 1;
      this.options.logger?.warn(
        { tokens: stale, error: (err as Error).message },
        'REST price fallback failed; retrying at the next poll',
      );
    } finally {
      this.polling = false;
    }
  }

  private flag(stale: number[], now: number): void {
    const current = new Set(stale);
    const fresh = stale.filter((t) => !this.staleSince.has(t));
    for (const t of fresh) {
      this.staleSince.set(t, now);
      this.options.onStale?.(t, now);
    }
    if (fresh.length > 0)
      this.options.logger?.warn(
        { tokens: fresh, staleAfterMs: this.options.staleAfterMs },
        'tick feed stale for watched tokens; pricing them over REST until it recovers',
      );
    const recovered = [...this.staleSince.keys()].filter((t) => !current.has(t));
    for (const t of recovered) this.staleSince.delete(t);
    if (recovered.length > 0)
      this.options.logger?.info({ tokens: recovered }, 'tick feed fresh again');
  }
}
