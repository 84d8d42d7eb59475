import { aggregateCandles } from '../../domain/strategies/candles';
import { MinuteCandles } from '../../domain/strategies/candles-recorder';
import type { Candle } from '../../domain/strategies/types';
import type { TickHub, TickSource } from './tick-hub';

/** Enough for a few of the runner's longest (60-minute) candles. */
const DEFAULT_RETAIN_MS = 3 * 3_600_000;

/**
 * Minute candles of a few tokens (the runner's indices) built from this
 * worker's ticks, for the candle a broker publishes only seconds after it
 * closes. A span is answered only if every tick of it was seen: from the
 * first tick after (re)subscribing, with no disconnect since. Ticks are
 * bucketed by arrival, so a minute that has passed never changes.
 */
export class TickCandles {
  private readonly minutes: MinuteCandles;
  /** Per token, since when no tick has been missed. */
  private readonly watchedSince = new Map<number, number>();
  private readonly watched: ReadonlySet<number>;

  /**
   * Holds its tokens through the hub's reference count for the life of the
   * worker, so a price trigger on the same token releasing it never
   * unsubscribes the candles, and holding them never disturbs a trigger.
   * Ticks and gaps come from the hub's own feed.
   */
  constructor(
    hub: Pick<TickHub, 'acquire'>,
    feed: Pick<TickSource, 'on'>,
    tokens: readonly number[],
    retainMs = DEFAULT_RETAIN_MS,
  ) {
    this.minutes = new MinuteCandles(retainMs);
    this.watched = new Set(tokens);
    feed.on('tick', ({ token, ltp, timestamp }) => {
      if (!this.watched.has(token)) return;
      if (!this.watchedSince.has(token)) this.watchedSince.set(token, timestamp);
      this.minutes.add(token, timestamp, ltp);
    });
    feed.on('disconnect', () => this.watchedSince.clear());
    hub.acquire(tokens);
  }

  /** Candles of `intervalMs` opening in [fromMs, toMs), or undefined unless the whole span was watched. */
  candles(token: number, intervalMs: number, fromMs: number, toMs: number): Candle[] | undefined {
    const since = this.watchedSince.get(token);
    if (since === undefined || since > fromMs) return undefined;
    return aggregateCandles(this.minutes.between(token, fromMs, toMs), intervalMs, fromMs);
  }
}
