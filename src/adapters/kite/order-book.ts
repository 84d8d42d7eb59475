import type { Logger } from 'pino';
import { fillsByOwner, type ContractFills } from '../../domain/holdings';
import type { KiteBroker } from './client';
import { normalizeOrder } from './normalize';
import type { TickSource } from './tick-hub';
import { isTerminal, type BrokerOrder } from './types';

export const contractKey = (tradingsymbol: string, product: string): string =>
  `${tradingsymbol}|${product}`;

const signedFill = (o: BrokerOrder): number =>
  o.transactionType === 'SELL' ? -o.filledQuantity : o.filledQuantity;

/** An order only moves forward: fills grow and a final state is final. */
function furthest(a: BrokerOrder | undefined, b: BrokerOrder): BrokerOrder {
  if (!a) return b;
  if (isTerminal(a.status) !== isTerminal(b.status)) return isTerminal(a.status) ? a : b;
  return b.filledQuantity >= a.filledQuantity ? b : a;
}

/**
 * The worker's mirror of the broker's order book, fed by Kite's order
 * updates on the ticker WebSocket. A tag look-up is then a map read, and
 * `GET /orders` runs only to (re)build the mirror: at the first look-up and
 * after the stream dropped (an update may have been missed while it was
 * down), or when a caller asks for the broker's own answer (after an
 * ambiguous failure, or when resuming an intent another process may have
 * acted on). That also keeps a busy book inside Kite's 10 requests/s.
 */
export class OrderBook {
  private readonly byId = new Map<string, BrokerOrder>();
  private readonly byTag = new Map<string, Set<string>>();
  /**
   * Per contract (`contractKey`), its orders and what they bought less what
   * they sold, kept as updates land: a crossing's exits read them at once,
   * and a pass over every order of the day for each took milliseconds apiece
   * at 2,000 orders before the first exit left.
   */
  private readonly byContract = new Map<string, { ids: Set<string>; net: number }>();
  private synced = false;
  /** Bumped by every disconnect, so a snapshot that straddled one does not count as complete. */
  private epoch = 0;
  private syncing: Promise<void> | undefined;
  /** Bumped by every change to an order, so a reader can tell whether one landed while it waited. */
  private changes = 0;
  private readonly locks = new Map<string, Promise<unknown>>();
  /** REST snapshots taken and look-ups answered from memory, for logs and tests. */
  readonly stats = { snapshots: 0, hits: 0 };

  constructor(
    private readonly broker: Pick<KiteBroker, 'getOrders'>,
    source: Pick<TickSource, 'on'>,
    private readonly logger?: Logger,
  ) {
    source.on('order', (raw) => this.apply(normalizeOrder(raw)));
    // Updates sent while the stream was down are lost: the next look-up rebuilds from REST.
    source.on('disconnect', () => this.invalidate());
  }

  /** The mirror may have missed an update: the next look-up rebuilds it from REST. */
  invalidate(): void {
    this.synced = false;
    this.epoch += 1;
  }

  /** Records what the broker said of an order: an update, a placement's answer, a poll. */
  apply(order: BrokerOrder): BrokerOrder {
    if (!order.orderId) return order;
    const before = this.byId.get(order.orderId);
    const kept = furthest(before, order);
    if (kept !== before) this.changes += 1;
    this.byId.set(order.orderId, kept);
    if (before) this.contract(before).net -= signedFill(before);
    const contract = this.contract(kept);
    contract.ids.add(kept.orderId);
    contract.net += signedFill(kept);
    if (kept.tag) {
      let ids = this.byTag.get(kept.tag);
      if (!ids) this.byTag.set(kept.tag, (ids = new Set()));
      ids.add(kept.orderId);
    }
    return kept;
  }

  /** How many order changes the mirror has taken in. */
  get version(): number {
    return this.changes;
  }

  /**
   * The units the mirrored orders on a contract (`contractKey`) bought less
   * those they sold; undefined unless the mirror is complete.
   */
  netFilled(key: string): number | undefined {
    return this.synced ? (this.byContract.get(key)?.net ?? 0) : undefined;
  }

  /** One contract's fills by owner of our tags, and any stranger's; undefined unless the mirror is complete. */
  fillsOf(tradingsymbol: string, product: string): ContractFills | undefined {
    if (!this.synced) return undefined;
    const ids = this.byContract.get(contractKey(tradingsymbol, product))?.ids ?? [];
    return fillsByOwner(
      [...ids].map((id) => this.byId.get(id)!),
      tradingsymbol,
      product,
    );
  }

  private contract(o: BrokerOrder): { ids: Set<string>; net: number } {
    const key = contractKey(o.tradingsymbol, o.product);
    let contract = this.byContract.get(key);
    if (!contract) this.byContract.set(key, (contract = { ids: new Set(), net: 0 }));
    return contract;
  }

  /** Makes the mirror complete now, so the next look-up is a map read. */
  async prepare(): Promise<void> {
    if (!this.synced) await this.snapshot();
  }

  get(orderId: string): BrokerOrder | undefined {
    return this.byId.get(orderId);
  }

  /**
   * The orders carrying `tag`: from memory when the mirror is complete, from
   * the broker when `fromBroker` or when the mirror must first be rebuilt.
   */
  async withTag(tag: string, { fromBroker = false } = {}): Promise<BrokerOrder[]> {
    if (fromBroker || !this.synced) await this.snapshot();
    else this.stats.hits += 1;
    return [...(this.byTag.get(tag) ?? [])].map((id) => this.byId.get(id)!);
  }

  /**
   * Runs `fn` alone for `tag` in this process: a trigger placing an exit and
   * the workflow's own exit placement for the same intent look the tag up
   * and place one after the other, so the second finds the first's order.
   */
  async exclusive<T>(tag: string, fn: () => Promise<T>): Promise<T> {
    const before = this.locks.get(tag) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const settled = run.catch(() => undefined);
    this.locks.set(tag, settled);
    try {
      return await run;
    } finally {
      if (this.locks.get(tag) === settled) this.locks.delete(tag);
    }
  }

  /** One `GET /orders` shared by every caller waiting on it. */
  private snapshot(): Promise<void> {
    this.syncing ??= (async () => {
      const epoch = this.epoch;
      try {
        // An update racing the request is applied either way: the mirror keeps the furthest state.
        const orders = await this.broker.getOrders();
        for (const o of orders) this.apply(o);
        this.stats.snapshots += 1;
        this.synced = this.epoch === epoch;
      } catch (err) {
        this.logger?.warn({ error: (err as Error).message }, 'order book snapshot failed');
        throw err;
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }
}
