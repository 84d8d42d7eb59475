import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { KiteBroker } from '../adapters/kite/client';
import { BrokerAmbiguous, BrokerRejection } from '../adapters/kite/errors';
import { isTerminal, type BrokerOrder, type PlaceOrderParams } from '../adapters/kite/types';
import type { OrderMetrics } from '../observability/trading-metrics';
import { DEFAULT_TIMING, type ActivityDeps } from './deps';
import { FailureType } from './failure-types';
import { toActivityFailure, throwUnlessTransient } from './failures';
import { furthest, toOrderState, type OrderState } from './orders';
import { createQuoteActivities } from './quotes';
import {
  awaitOrderSchema,
  cancelOrderSchema,
  findOrderSchema,
  parseInput,
  placeOrderSchema,
} from './validation';
import { idle } from './wait';

export type PlaceOrderInput = PlaceOrderParams & {
  /** Epoch ms of the tick that decided this exit, for the tick-to-exit latency metric. */
  intentAt?: number;
};

export interface PlaceOrderResult {
  orderId: string;
  /** True when an order with this tag already existed and was adopted instead of placing a new one. */
  adopted: boolean;
}

export interface AwaitOrderInput {
  orderId: string;
  /** Measured from the first attempt, so activity retries do not extend it. */
  timeoutSeconds: number;
}

export interface CancelOrderInput {
  orderId: string;
}

export interface FindOrderInput {
  tag: string;
}

/** The order carrying `tag`, if any; more than one means invariant 1 was already broken elsewhere. */
async function findByTag(broker: KiteBroker, tag: string): Promise<BrokerOrder | undefined> {
  const matches = (await broker.getOrders()).filter((o) => o.tag === tag);
  if (matches.length > 1)
    log.error('several orders carry one tag', { tag, orderIds: matches.map((o) => o.orderId) });
  return matches[0];
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

export function createBrokerActivities(deps: ActivityDeps) {
  const { broker, hub, metrics, now = Date.now } = deps;
  const timing = { ...DEFAULT_TIMING, ...deps.timing };

  /**
   * Invariant 1 rests here, because Kite does not deduplicate tags: look the
   * tag up before placing and after any ambiguous failure, and adopt what is
   * found. Temporal may retry this activity only because every attempt starts
   * with that look-up.
   */
  async function placeOrder(input: PlaceOrderInput): Promise<PlaceOrderResult> {
    const intent = parseInput('placeOrder', placeOrderSchema, input);
    const ctx = Context.current();
    // Heartbeats cost nothing without a heartbeatTimeout, and keep one from firing across slow broker calls.
    const lookUp = () => {
      ctx.heartbeat();
      return findByTag(broker, intent.tag);
    };
    try {
      const existing = await lookUp();
      if (existing) return adopt(existing, intent, metrics);
    } catch (err) {
      throw toActivityFailure(err);
    }
    let ambiguity: BrokerAmbiguous;
    try {
      ctx.heartbeat();
      const orderId = await broker.placeOrder(intent);
      log.info('order placed', {
        tag: intent.tag,
        orderId,
        symbol: intent.tradingsymbol,
        qty: intent.quantity,
      });
      metrics?.order('placed', intent.transactionType);
      if (intent.transactionType === 'SELL' && intent.intentAt !== undefined)
        metrics?.observeTickToExit(now() - intent.intentAt);
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
      await idle(delay, ctx.cancellationSignal);
      try {
        const found = await lookUp();
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

  async function awaitOrder(input: AwaitOrderInput): Promise<OrderState> {
    const { orderId, timeoutSeconds } = parseInput('awaitOrder', awaitOrderSchema, input);
    const ctx = Context.current();
    const details = ctx.info.heartbeatDetails as { deadline?: number } | undefined;
    const deadline = details?.deadline ?? now() + timeoutSeconds * 1000;
    let latest: BrokerOrder | undefined;
    let wake: (() => void) | undefined;
    const stopListening = hub?.onOrderUpdate(orderId, (order) => {
      latest = furthest(latest, order);
      if (isTerminal(order.status)) wake?.();
    });
    try {
      for (;;) {
        ctx.heartbeat({ deadline });
        if (!latest || !isTerminal(latest.status)) {
          try {
            latest = furthest(latest, await broker.getOrder(orderId));
          } catch (err) {
            throwUnlessTransient(err);
            log.warn('order status poll failed', { orderId, reason: (err as Error).message });
          }
        }
        if (latest && isTerminal(latest.status)) return toOrderState(latest);
        const remaining = deadline - now();
        if (remaining <= 0) {
          if (latest) return toOrderState(latest, true);
          throw ApplicationFailure.retryable(
            `awaitOrder: no status for ${orderId} before the deadline`,
            FailureType.BrokerAmbiguous,
          );
        }
        await idle(
          Math.min(timing.orderPollMs, remaining),
          ctx.cancellationSignal,
          (w) => (wake = w),
        );
      }
    } finally {
      stopListening?.();
    }
  }

  /** Idempotent: an order already final is returned as it is; otherwise cancel and wait for the broker to confirm. */
  async function cancelOrder(input: CancelOrderInput): Promise<OrderState> {
    const { orderId } = parseInput('cancelOrder', cancelOrderSchema, input);
    const ctx = Context.current();
    const read = async () => {
      ctx.heartbeat();
      try {
        return await broker.getOrder(orderId);
      } catch (err) {
        throw toActivityFailure(err);
      }
    };
    let order = await read();
    if (isTerminal(order.status)) return toOrderState(order);
    try {
      ctx.heartbeat();
      await broker.cancelOrder(orderId);
      log.info('cancel sent', { orderId });
    } catch (err) {
      // Kite refuses to cancel an order that is filling or already final; the re-read below tells which.
      if (!(err instanceof BrokerRejection)) throw toActivityFailure(err);
      log.warn('cancel refused', { orderId, reason: err.message });
    }
    const giveUpAt = now() + timing.cancelSettleMs;
    for (;;) {
      order = await read();
      if (isTerminal(order.status)) return toOrderState(order);
      if (now() >= giveUpAt) break;
      await idle(Math.min(timing.orderPollMs, giveUpAt - now()), ctx.cancellationSignal);
    }
    throw ApplicationFailure.retryable(
      `cancelOrder: ${orderId} still ${order.status}`,
      FailureType.CancelPending,
    );
  }

  /**
   * Read-only: the order carrying `tag`, or null when the broker has none.
   * What a workflow asks after placement gave up, since an attempt that
   * failed ambiguously may still have booked the order.
   */
  async function findOrderByTag(input: FindOrderInput): Promise<OrderState | null> {
    const { tag } = parseInput('findOrderByTag', findOrderSchema, input);
    try {
      const order = await findByTag(broker, tag);
      return order ? toOrderState(order) : null;
    } catch (err) {
      throw toActivityFailure(err);
    }
  }

  return {
    placeOrder,
    awaitOrder,
    cancelOrder,
    findOrderByTag,
    ...createQuoteActivities(deps),
  };
}
