import type { Underlying } from '../domain/types';
import type { Faults } from './faults';

export type { Faults };

/** Drives the paper exchange's /_control endpoints from tests. */
export class ExchangeControl {
  constructor(private readonly restUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.restUrl}/_control${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as { status: string; data: T; message?: string };
    if (json.status !== 'success') throw new Error(`control ${method} ${path}: ${json.message}`);
    return json.data;
  }

  spots(): Promise<Record<Underlying, number>> {
    return this.call('GET', '/spots');
  }

  async setSpot(underlying: Underlying, spot: number): Promise<void> {
    await this.call('POST', '/spot', { underlying, spot });
  }

  /** Holds the option at exactly `ltp` (bid = ask = ltp) until unpin(). */
  async pinPrice(token: number, ltp: number): Promise<void> {
    await this.call('POST', '/pin', { token, ltp });
  }

  /** Pins prices[0] now, then each next price every intervalMs; the last one stays pinned. */
  async scriptPrices(token: number, prices: number[], intervalMs: number): Promise<void> {
    await this.call('POST', '/script', { token, prices, intervalMs });
  }

  async unpin(token: number): Promise<void> {
    await this.call('POST', '/unpin', { token });
  }

  /** Releases every pin and stops every script, so the next test meets the market's own prices. */
  async unpinAll(): Promise<number> {
    return (await this.call<{ unpinned: number }>('DELETE', '/pins')).unpinned;
  }

  /** Merges into the active faults; counted faults are used up as they fire. */
  async injectFaults(faults: Faults): Promise<void> {
    await this.call('POST', '/faults', faults);
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/faults');
  }

  async pauseTicks(paused: boolean): Promise<void> {
    await this.call('POST', '/ticks', { paused });
  }

  async dropTickerConnections(): Promise<void> {
    await this.call('POST', '/ticker/drop');
  }

  /** Ends every session the exchange issued, as its expiry would (the static token too if asked). */
  async expireSessions(options: { includeStatic?: boolean } = {}): Promise<number> {
    return (await this.call<{ ended: number }>('POST', '/sessions/expire', options)).ended;
  }
}
