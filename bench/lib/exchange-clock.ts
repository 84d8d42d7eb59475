import { performance } from 'node:perf_hooks';
import type { RunningExchange } from '../../src/exchange';
import { Rendezvous } from './rendezvous';

export interface EntryFill {
  token: number;
  price: number;
}

interface CrossWatch {
  token: number;
  below: number;
  resolve(at: number): void;
}

/**
 * The exchange's own view of time (performance.now(), same process): when an
 * order with a given tag arrives and fills, and when a tick at or below a
 * level goes out for a token.
 */
export class ExchangeClock {
  private readonly received = new Rendezvous<number>();
  private readonly filled = new Rendezvous<EntryFill>();
  private readonly crossWatches = new Set<CrossWatch>();
  private readonly publishWatches = new Map<number, (() => void)[]>();
  /** When each order placement reached the HTTP server, before its body was read; ascending. */
  private readonly placements: number[] = [];
  /** API requests so far by method and path, ids replaced by `:id`. */
  readonly requests = new Map<string, number>();

  constructor(exchange: RunningExchange) {
    exchange.events.on('order', (o) => {
      if (!o.tag) return;
      if (o.status === 'PUT ORDER REQ RECEIVED') this.received.deliver(o.tag, performance.now());
      if (o.status === 'COMPLETE')
        this.filled.deliver(o.tag, { token: o.instrument_token, price: o.average_price });
    });
    exchange.events.on('request', (method, path) => {
      const key = `${method} ${path.replace(/\/\d+/g, '/:id')}`;
      this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
      if (method === 'POST' && path.startsWith('/orders/')) this.placements.push(performance.now());
    });
    exchange.events.on('ticks', (ltps) => {
      const at = performance.now();
      for (const w of this.crossWatches) {
        const ltp = ltps.get(w.token);
        if (ltp !== undefined && ltp <= w.below) {
          this.crossWatches.delete(w);
          w.resolve(at);
        }
      }
      for (const [token, waiters] of this.publishWatches) {
        if (!ltps.has(token)) continue;
        this.publishWatches.delete(token);
        for (const w of waiters) w();
      }
    });
  }

  /** When the order tagged `tag` reached the matching engine. */
  orderReceived(tag: string): Promise<number> {
    return this.received.wait(tag);
  }

  /** The first order placement to reach the HTTP server at or after `at`, if one has. */
  placementAfter(at: number): number | undefined {
    let i = this.placements.length;
    while (i > 0 && this.placements[i - 1] >= at) i--;
    return this.placements[i];
  }

  orderFilled(tag: string): Promise<EntryFill> {
    return this.filled.wait(tag);
  }

  /** When a tick with ltp <= `below` was next published for `token`. */
  crossingPublished(token: number, below: number): Promise<number> {
    return new Promise((resolve) => this.crossWatches.add({ token, below, resolve }));
  }

  /** The next publish that includes `token`, i.e. some ticker client is subscribed to it. */
  published(token: number): Promise<void> {
    return new Promise((resolve) =>
      this.publishWatches.set(token, [...(this.publishWatches.get(token) ?? []), resolve]),
    );
  }
}
