import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { contractViewFromBroker, type ContractView } from '../adapters/kite/book-moment';
import { ownFillsCover } from '../domain/holdings';
import { tagOwner } from '../domain/order-tag';
import type { Cross, CrossLeg } from '../adapters/kite/tick-hub';
import { sliceQuantity } from '../domain/sizing';
import type { ActivityDeps } from './deps';
import { FailureType } from './failure-types';
import { createOrderPlacer } from './order-placer';
import { parseInput, priceTriggerSchema } from './validation';

/**
 * What to sell, and under which tags, the moment a stop or target crosses:
 * the workflow's next exit round, decided in advance so the order leaves
 * from the tick's own process instead of a Temporal round trip later.
 */
export interface ExitIntent {
  tradingsymbol: string;
  product: 'MIS' | 'NRML';
  /** What the position holds; sold only if the broker still shows at least this much long. */
  quantity: number;
  lotSize: number;
  freezeQty: number;
  marketProtection: number;
  /** One tag per freeze-limit slice of `quantity`, in slice order: the round's tags. */
  tags: string[];
  /** The crossings that are exits; others (a trailing step) only wake the workflow. */
  on: { legIndex: number; side: 'below' | 'above' }[];
  /** This arming's id: a workflow that took the intent back disarms it by this id. */
  armId: string;
}

export interface PriceTriggerInput {
  legs: CrossLeg[];
  /** The position's mark, reported to its account book from the hub while the trigger waits. */
  mark?: {
    positionId: string;
    accountDay: string;
    entryPrice: number;
    quantity: number;
  };
  exit?: ExitIntent;
}

export type PriceTriggerResult = Cross & {
  /**
   * The exit orders the trigger placed under the intent's tags; `adopted`
   * when the tag was found already booked (a lost answer, a retried attempt).
   */
  exitOrders?: { tag: string; orderId: string; adopted: boolean }[];
  /** Why the intent was not (wholly) placed: the broker showed less, or a placement failed. */
  exitNotPlaced?: string;
};

export function createMarketActivities(deps: ActivityDeps) {
  const { hub, marks, broker, disarmed, netPositions } = deps;
  const placer = createOrderPlacer(deps);

  const viewOf = ({ tradingsymbol, product }: ExitIntent) =>
    netPositions
      ? netPositions.viewOf(tradingsymbol, product)
      : contractViewFromBroker(broker, tradingsymbol, product);

  /**
   * Sells the intent's slices now, if the broker's book shows them as this
   * position's own (`ownFillsCover`; from the order mirror when it can say,
   * so the crossing costs one REST call, the order). Otherwise the workflow's
   * exit round sizes the exit against the siblings on the contract and
   * closes what is gone as an external close.
   */
  async function placeExit(
    intent: ExitIntent,
    crossAt: number,
  ): Promise<Pick<PriceTriggerResult, 'exitOrders' | 'exitNotPlaced'>> {
    const ctx = Context.current();
    let view: ContractView | undefined;
    try {
      view = await viewOf(intent);
    } catch (err) {
      // The workflow's own exit round retries, blocks and alerts; a trigger retrying here would hide it.
      return { exitNotPlaced: `reading the broker's book: ${(err as Error).message}` };
    }
    if (!view) return { exitNotPlaced: `${intent.tradingsymbol} kept filling while it was read` };
    const owner = tagOwner(intent.tags[0]) ?? '';
    if (!ownFillsCover({ quantity: intent.quantity, owner, net: view.net, fills: view.fills }))
      return {
        exitNotPlaced: `the book does not show all ${intent.quantity} as this position's own: net ${view.net}, its own fills ${view.fills.owners.get(owner) ?? 0}, outside orders bought less sold ${view.fills.strangers}`,
      };
    const slices = sliceQuantity(intent.quantity, intent.lotSize, intent.freezeQty);
    const placed = await Promise.all(
      slices.map((quantity, i) =>
        placer
          .place(
            {
              tag: intent.tags[i],
              tradingsymbol: intent.tradingsymbol,
              exchange: 'NFO',
              transactionType: 'SELL',
              quantity,
              product: intent.product,
              orderType: 'MARKET',
              marketProtection: intent.marketProtection,
              intentAt: crossAt,
            },
            {
              fromBroker: ctx.info.attempt > 1,
              heartbeat: () => ctx.heartbeat(),
              signal: ctx.cancellationSignal,
            },
          )
          .then(
            ({ orderId, adopted }) => ({ tag: intent.tags[i], orderId, adopted }),
            (err: unknown) => (err instanceof Error ? err.message : String(err)),
          ),
      ),
    );
    const exitOrders = placed.filter(
      (p): p is { tag: string; orderId: string; adopted: boolean } => typeof p !== 'string',
    );
    const failures = placed.filter((p): p is string => typeof p === 'string');
    return { exitOrders, ...(failures.length > 0 && { exitNotPlaced: failures.join('; ') }) };
  }

  /**
   * A timer on price: completes the moment a leg's ltp is at or through its
   * level (at once if it already is). Armed with an exit intent, a stop or
   * target crossing also places the exit itself before completing; the
   * workflow adopts those orders by their tags. Holds nothing durable, so a
   * retry on another worker after a missed heartbeat arms again (and a
   * placement it repeats is adopted by tag); the workflow cancels it when a
   * timer or an operator message wins the race.
   */
  async function awaitPriceTrigger(input: PriceTriggerInput): Promise<PriceTriggerResult> {
    const { legs, mark, exit } = parseInput('awaitPriceTrigger', priceTriggerSchema, input);
    if (!hub)
      throw ApplicationFailure.nonRetryable(
        'awaitPriceTrigger: this worker has no tick hub',
        FailureType.Misconfigured,
      );
    const ctx = Context.current();
    ctx.heartbeat();
    const disarm = exit && netPositions?.arm(exit.tradingsymbol, exit.product);
    try {
      const unwatch = mark && marks?.watch({ ...mark, token: legs[0].token });
      const cross = await hub
        .waitForCross(legs, {
          signal: ctx.cancellationSignal,
          onHeartbeat: (lastPrices) => ctx.heartbeat({ lastPrices }),
        })
        .finally(() => unwatch?.());
      const exits =
        exit?.on.some((o) => o.legIndex === cross.legIndex && o.side === cross.side) &&
        !disarmed?.has(exit.armId);
      const placed = exit && exits ? await placeExit(exit, cross.at) : {};
      log.info('price trigger fired', { ...cross, leg: legs[cross.legIndex], ...placed });
      return { ...cross, ...placed };
    } finally {
      disarm?.();
    }
  }

  return { awaitPriceTrigger };
}
