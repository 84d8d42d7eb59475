import { setTimeout as sleep } from 'node:timers/promises';
import type { Connect } from 'kiteconnect';
import { mulberry32, type Rng } from '../../../src/exchange/market/rng';
import type { WorkerProcess } from '../../harness/worker-process';

/** `unacknowledged`: an order was booked at the exchange and its answer is still held back. */
export type KillMoment = 'random' | 'unacknowledged';

export interface ChaosOptions {
  worker: WorkerProcess;
  /** Reads the exchange's order book, to see an order the moment it is booked. */
  kite: Connect;
  seed: number;
  /** Time from a restart to the next kill. */
  gapMs: readonly [number, number];
  /** Time the worker stays dead. */
  downMs: readonly [number, number];
  /** Share of kills, after the first aimed one, aimed at a booked but unacknowledged order (needs the exchange's orderAckDelayMs). */
  unacknowledgedShare: number;
}

/** A kill aimed at an order waits this long for one to be placed, then kills anyway. */
const AIM_PATIENCE_MS = 8_000;
const ORDER_POLL_MS = 50;
const KILL_POLL_MS = 100;

/**
 * SIGKILLs the worker process at random moments and restarts it, until
 * stopped. Some kills are aimed: it watches the order book and kills the
 * instant a new order is booked, while the exchange still holds the answer,
 * so the worker dies not knowing whether its order exists.
 */
export class WorkerChaos {
  readonly kills: Record<KillMoment, number> = { random: 0, unacknowledged: 0 };
  private readonly rng: Rng;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private restarting = false;

  constructor(private readonly options: ChaosOptions) {
    this.rng = mulberry32(options.seed);
  }

  get total(): number {
    return this.kills.random + this.kills.unacknowledged;
  }

  start(): void {
    this.loop = this.run();
  }

  /** Resolves once `n` kills have been made and the worker restarted after the last; rejects like failure(). */
  async reached(n: number): Promise<void> {
    while (this.total < n || this.restarting) {
      if (this.stopping.signal.aborted)
        throw new Error(`chaos stopped after ${this.total} of ${n} kills`);
      await Promise.race([sleep(KILL_POLL_MS), this.loop]);
    }
  }

  /** Rejects if killing or restarting fails, so a test can race it against its own work. */
  async failure(): Promise<never> {
    await this.loop;
    return new Promise<never>(() => undefined);
  }

  /** Ends the chaos with the worker running. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { signal } = this.stopping;
    while (!signal.aborted) {
      // The first kill aims from the start: a short run's entries may all be booked before its
      // first gap ends, and its exits may wait for the kills, so a later aim can find no order.
      if (this.total > 0 && !(await this.pause(this.draw(this.options.gapMs)))) return;
      // Aim until one aimed kill has landed, so even a short run crashes inside the window once.
      const aim = this.kills.unacknowledged === 0 || this.rng() < this.options.unacknowledgedShare;
      const aimed = aim && (await this.newOrderBooked());
      if (signal.aborted) return;
      this.restarting = true;
      await this.options.worker.kill();
      this.kills[aimed ? 'unacknowledged' : 'random'] += 1;
      await sleep(this.draw(this.options.downMs));
      await this.options.worker.start();
      this.restarting = false;
    }
  }

  /** Resolves true as soon as an order the book did not hold before appears in it. */
  private async newOrderBooked(): Promise<boolean> {
    const ids = async () =>
      new Set(
        ((await this.options.kite.getOrders()) as Array<{ order_id: string }>).map(
          (o) => o.order_id,
        ),
      );
    const before = await ids();
    const giveUpAt = Date.now() + AIM_PATIENCE_MS;
    while (Date.now() < giveUpAt && !this.stopping.signal.aborted) {
      for (const id of await ids()) if (!before.has(id)) return true;
      await sleep(ORDER_POLL_MS);
    }
    return false;
  }

  private draw([min, max]: readonly [number, number]): number {
    return min + this.rng() * (max - min);
  }

  /** False when stopped during the pause. */
  private async pause(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.stopping.signal });
      return true;
    } catch {
      return false;
    }
  }
}
