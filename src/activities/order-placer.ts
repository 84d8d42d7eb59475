import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { KiteBroker } from '../adapters/kite/client';
import { BrokerAmbiguous, BrokerRejection } from '../adapters/kite/errors';
import type { OrderBook } from '../adapters/kite/order-book';
import type { BrokerOrder, PlaceOrderParams } from '../adapters/kite/types';
import type { OrderMetrics } from '../observability/trading-metrics';
import { DEFAULT_TIMING, type Timing } from './deps';
import { FailureType } from './failure-types';
import { throwUnlessTransient, toActivityFailure } from './failures';
import { idle } from './wait';

export type PlaceOrderInput = PlaceOrderParams & {
  /** Epoch ms of the tick that decided this exit, for the tick-to-exit latency metric. */
  intentAt?: number;
  /**
   * Ask the broker itself, not the worker's order book, whether the tag is
   * already booked: for an intent being resumed, which another process may
   * have acted on a moment ago.
   */
  lookup?: 'broker';
};

export interface PlaceOrderResult {
  orderId: string;
  /** True when an order with this tag already existed and was adopted instead of placing a new one. */
  adopted: boolean;
}

export interface PlacerDeps {
  broker: KiteBroker;
  orders?: OrderBook;
  metrics?: OrderMetrics;
  now?: () => number;
  timing?: Partial<Timing>;
}

export interface PlaceOptions {
  /** The look-up must come from the broker (a retry, a resumed intent). */
  fromBroker: boolean;
  heartbeat: () => void;
  signal: AbortSignal;
}

/** Adopting is only safe when the found order is this intent; anything else is a tag collision. */
function adopt(
  order: BrokerOrder,
  intent: PlaceOrderInput,
  metrics: OrderMetrics | undefined,
): PlaceOrderResult {
  const same =
    order.tradingsymbol === intent.tradingsymbol &&
    order.transactionType === intent.transactionType &&
    order.quantity === intent.quantity;
  if (!same) {
    throw ApplicationFailure.nonRetryable(
      `order ${order.orderId} carries tag ${intent.tag} but is ${order.transactionType} ${order.quantity} ${order.tradingsymbol}`,
      FailureType.TagConflict,
    );
  }
  if (order.status === 'REJECTED') {
    metrics?.order('rejected', intent.transactionType);
    throw ApplicationFailure.nonRetryable(
      order.statusMessage ?? 'rejected by the broker',
      FailureType.OrderRejected,
    );
  }
  log.info('adopted existing order', {
    tag: intent.tag,
    orderId: order.orderId,
    status: order.status,
  });
  metrics?.order('adopted', intent.transactionType);
  return { orderId: order.orderId, adopted: true };
}

/** What the broker has booked under an order id we were just given, until its first update arrives. */
const booked = (orderId: string, intent: PlaceOrderInput): BrokerOrder => ({
  orderId,
  tag: intent.tag,
  status: 'PUT ORDER REQ RECEIVED',
  statusMessage: null,
  tradingsymbol: intent.tradingsymbol,
  exchange: intent.exchange,
  instrumentToken: 0,
  transactionType: intent.transactionType,
  orderType: intent.orderType,
  product: intent.product,
  quantity: intent.quantity,
  filledQuantity: 0,
  pendingQuantity: intent.quantity,
  cancelledQuantity: 0,
  price: intent.price ?? 0,
  triggerPrice: intent.triggerPrice ?? 0,
  averagePrice: 0,
});

/**
 * Invariant 1 rests here, because Kite does not deduplicate tags: look the
 * tag up before placing and after any ambiguous failure, and adopt what is
 * found. The placeOrder activity and a price trigger that places its exit
 * both go through it; in one process, two placements of one tag run one
 * after the other, so the second adopts the first's order.
 */
export function createOrderPlacer(deps: PlacerDeps) {
  const { broker, orders, metrics, now = Date.now } = deps;
  const timing = { ...DEFAULT_TIMING, ...deps.timing };

  /** The order carrying `tag`, if any; more than one means invariant 1 was already broken elsewhere. */
  async function findByTag(tag: string, fromBroker: boolean): Promise<BrokerOrder | undefined> {
    const matches = orders
      ? await orders.withTag(tag, { fromBroker })
      : (await broker.getOrders()).filter((o) => o.tag === tag);
    if (matches.length > 1)
      log.error('several orders carry one tag', { tag, orderIds: matches.map((o) => o.orderId) });
    return matches[0];
  }

  async function placeOnce(intent: PlaceOrderInput, o: PlaceOptions): Promise<PlaceOrderResult> {
    const lookUp = (fromBroker: boolean) => {
      o.heartbeat();
      return findByTag(intent.tag, fromBroker);
    };
    try {
      const existing = await lookUp(o.fromBroker);
      if (existing) return adopt(existing, intent, metrics);
    } catch (err) {
      throw toActivityFailure(err);
    }
    let ambiguity: BrokerAmbiguous;
    try {
      o.heartbeat();
      const { lookup: _lookup, intentAt, ...params } = intent;
      const orderId = await broker.placeOrder(params);
      orders?.apply(booked(orderId, intent));
      log.info('order placed', {
        tag: intent.tag,
        orderId,
        symbol: intent.tradingsymbol,
        qty: intent.quantity,
      });
      metrics?.order('placed', intent.transactionType);
      if (intent.transactionType === 'SELL' && intentAt !== undefined)
        metrics?.observeTickToExit(now() - intentAt);
      return { orderId, adopted: false };
    } catch (err) {
      if (err instanceof BrokerRejection) {
        metrics?.order('rejected', intent.transactionType);
        log.warn('order rejected', {
          tag: intent.tag,
          reason: err.message,
          kiteErrorType: err.kiteErrorType,
        });
        throw toActivityFailure(err, FailureType.OrderRejected);
      }
      if (!(err instanceof BrokerAmbiguous)) throw toActivityFailure(err);
      ambiguity = err;
    }
    log.warn('order placement ambiguous, looking the tag up', {
      tag: intent.tag,
      reason: ambiguity.message,
    });
    for (const delay of timing.lookupDelaysMs) {
      await idle(delay, o.signal);
      try {
        const found = await lookUp(true);
        if (found) return adopt(found, intent, metrics);
      } catch (err) {
        throwUnlessTransient(err);
      }
    }
    // Not found yet: the next attempt looks the tag up again before it places anything.
    throw ApplicationFailure.retryable(
      `placeOrder: tag ${intent.tag} not found after an ambiguous failure (${ambiguity.message})`,
      FailureType.BrokerAmbiguous,
    );
  }

  return {
    findByTag,
    place: (intent: PlaceOrderInput, o: PlaceOptions): Promise<PlaceOrderResult> =>
      orders ? orders.exclusive(intent.tag, () => placeOnce(intent, o)) : placeOnce(intent, o),
  };
}
