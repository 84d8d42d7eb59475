import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { BrokerRejection } from '../adapters/kite/errors';
import { isTerminal, type BrokerOrder } from '../adapters/kite/types';
import { DEFAULT_TIMING, type ActivityDeps } from './deps';
import { FailureType } from './failure-types';
import { toActivityFailure, throwUnlessTransient } from './failures';
import { createOrderPlacer, type PlaceOrderInput, type PlaceOrderResult } from './order-placer';
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

export type { PlaceOrderInput, PlaceOrderResult };

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

export function createBrokerActivities(deps: ActivityDeps) {
  const { broker, hub, orders, now = Date.now } = deps;
  const timing = { ...DEFAULT_TIMING, ...deps.timing };
  const placer = createOrderPlacer(deps);

  /**
   * Places one order under its tag, adopting one already booked (see
   * createOrderPlacer). A retry asks the broker itself whether the tag is
   * booked: the attempt before may have placed it from another process.
   */
  async function placeOrder(input: PlaceOrderInput): Promise<PlaceOrderResult> {
    const intent = parseInput('placeOrder', placeOrderSchema, input);
    const ctx = Context.current();
    return placer.place(intent, {
      fromBroker: ctx.info.attempt > 1 || intent.lookup === 'broker',
      // Heartbeats cost nothing without a heartbeatTimeout, and keep one from firing across slow broker calls.
      heartbeat: () => ctx.heartbeat(),
      signal: ctx.cancellationSignal,
    });
  }

  async function awaitOrder(input: AwaitOrderInput): Promise<OrderState> {
    const { orderId, timeoutSeconds } = parseInput('awaitOrder', awaitOrderSchema, input);
    const ctx = Context.current();
    const details = ctx.info.heartbeatDetails as { deadline?: number } | undefined;
    const deadline = details?.deadline ?? now() + timeoutSeconds * 1000;
    // The worker's order book has usually heard of the order already: the first poll waits for a push.
    let latest: BrokerOrder | undefined = orders?.get(orderId);
    let pollNow = latest === undefined;
    let wake: (() => void) | undefined;
    const stopListening = hub?.onOrderUpdate(orderId, (order) => {
      latest = furthest(latest, order);
      if (isTerminal(order.status)) wake?.();
    });
    try {
      for (;;) {
        ctx.heartbeat({ deadline });
        if (latest && !isTerminal(latest.status))
          latest = furthest(latest, orders?.get(orderId) ?? latest);
        if ((!latest || !isTerminal(latest.status)) && pollNow) {
          try {
            latest = furthest(latest, await broker.getOrder(orderId));
          } catch (err) {
            throwUnlessTransient(err);
            log.warn('order status poll failed', { orderId, reason: (err as Error).message });
          }
        }
        pollNow = true;
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
      const order = await placer.findByTag(tag, true);
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
