import type { Logger } from 'pino';
import type { ContractView } from './book-moment';
import type { KiteBroker } from './client';
import { contractKey, type OrderBook } from './order-book';
import { netHeld } from './types';

export interface NetPositionsOptions {
  /** While any exit is armed, how often the positions are read to check the mirror. */
  verifyIntervalMs?: number;
  logger?: Logger;
}

/**
 * The broker's net units per contract for an exit that must not oversell,
 * without a REST call when a stop crosses: the order mirror's fills plus an
 * offset per contract, what the positions held beyond those orders (units
 * carried from earlier days, orders the broker no longer lists) when last
 * read. Kite's order updates cover every order on the account, placed here
 * or elsewhere, so a close from the Kite app reaches the mirror as it
 * reaches the positions. An offset is taken only when two reads in a row,
 * each with no order change landing during it, agree on it; without one, or
 * with the mirror incomplete, the positions are read as before.
 *
 * Kite does not promise every order update. While exits are armed the
 * positions are read every few seconds, and a contract whose mirror shows
 * more than the broker (the side that would oversell) loses its offset and
 * the mirror is rebuilt: a lost update can mislead a crossing that long.
 */
export class NetPositions {
  private readonly offsets = new Map<string, number>();
  /** The offset each contract's last clean reading gave, taken once the next one agrees. */
  private readonly candidates = new Map<string, number>();
  private armed = 0;
  private verifying: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  /** Answers from REST, and mirrors found ahead of the broker, for logs and tests. */
  readonly stats = { broker: 0, distrusted: 0 };

  constructor(
    private readonly broker: Pick<KiteBroker, 'getPositions'>,
    private readonly orders: Pick<
      OrderBook,
      'netFilled' | 'fillsOf' | 'prepare' | 'invalidate' | 'version'
    >,
    private readonly options: NetPositionsOptions = {},
  ) {}

  /**
   * An exit armed on this worker for a contract: the mirror is checked
   * against the positions until every exit is disarmed, and soon if this
   * contract has no offset yet, so its crossing need not ask the broker.
   */
  arm(tradingsymbol: string, product: string): () => void {
    this.armed += 1;
    if (!this.offsets.has(contractKey(tradingsymbol, product))) this.verifySoon(50);
    this.timer ??= setInterval(() => this.verify(), this.options.verifyIntervalMs ?? 2_000);
    this.timer.unref();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.armed -= 1;
      if (this.armed === 0) this.close();
    };
  }

  /**
   * The contract's net and who holds it by our tags. The net from memory
   * when the contract has an offset and `netFromBroker` is not asked, else
   * one positions read; the owners from the mirror, rebuilt first if
   * incomplete (one `GET /orders` shared by every caller). The two need not
   * be read at one moment: a skew only makes the net look short of the
   * owners' fills, and such a view sells nothing by itself
   * (`ownFillsCover`). Undefined when the mirror could not be made complete.
   */
  async viewOf(
    tradingsymbol: string,
    product: string,
    { netFromBroker = false } = {},
  ): Promise<ContractView | undefined> {
    const mirrored = netFromBroker
      ? undefined
      : this.fromMirror(contractKey(tradingsymbol, product));
    let net = mirrored;
    if (net === undefined) {
      // Its own read, not one already in flight: the answer must postdate the crossing.
      net = netHeld(await this.broker.getPositions(), tradingsymbol, product);
      this.stats.broker += 1;
    }
    await this.orders.prepare();
    const fills = this.orders.fillsOf(tradingsymbol, product);
    return fills && { net, fills, from: mirrored === undefined ? 'broker' : 'mirror' };
  }

  close(): void {
    clearInterval(this.timer);
    clearTimeout(this.soon);
    this.timer = undefined;
    this.soon = undefined;
  }

  /** One check for the exits armed together, `inMs` from now. */
  private verifySoon(inMs: number): void {
    this.soon ??= setTimeout(() => {
      this.soon = undefined;
      this.verify();
    }, inMs);
    this.soon.unref();
  }

  private fromMirror(key: string): number | undefined {
    const offset = this.offsets.get(key);
    const filled = this.orders.netFilled(key);
    return offset === undefined || filled === undefined ? undefined : offset + filled;
  }

  /** One check at a time: the mirror completed, then the positions read against it. */
  private verify(): void {
    this.verifying ??= (async () => {
      try {
        await this.orders.prepare();
        const version = this.orders.version;
        const positions = await this.broker.getPositions();
        const clean = this.orders.version === version;
        let firstReading = false;
        for (const p of positions) {
          const key = contractKey(p.tradingsymbol, p.product);
          // A fill the stream has not delivered yet shows the broker ahead too, which costs a
          // rebuild; a mirror ahead of the broker could oversell, so it is never let be.
          const answer = this.fromMirror(key);
          if (answer !== undefined && answer > p.quantity) {
            this.stats.distrusted += 1;
            this.offsets.delete(key);
            this.candidates.delete(key);
            // Nothing more is taken from a mirror just found wrong (it answers nothing) until rebuilt.
            this.orders.invalidate();
            this.options.logger?.warn(
              { tradingsymbol: p.tradingsymbol, product: p.product, broker: p.quantity, answer },
              'order mirror shows more than the broker holds; rebuilding it',
            );
            continue;
          }
          const filled = this.orders.netFilled(key);
          if (!clean || filled === undefined) continue;
          // A fill the read saw and the stream had not yet delivered skews one reading; two
          // readings in a row that agree are taken, so a skew would have to repeat exactly.
          const offset = p.quantity - filled;
          if (this.candidates.get(key) === offset) this.offsets.set(key, offset);
          firstReading ||= !this.candidates.has(key);
          this.candidates.set(key, offset);
        }
        // A contract read for the first time is read again shortly, not at the next interval.
        if (firstReading && this.armed > 0) this.verifySoon(250);
      } catch (err) {
        this.options.logger?.warn({ error: (err as Error).message }, 'net positions check failed');
      } finally {
        this.verifying = undefined;
      }
    })();
  }
}
