import { condition, log, patched } from '@temporalio/workflow';
import { FailureType } from '../activities/failure-types';
import type { OrderState } from '../activities/orders';
import type { OrderLeg } from '../domain/order-tag';
import { freezeLimitFromRefusal, sliceQuantity } from '../domain/sizing';
import { entryBroker, exitBroker, marketData, orders, orderWaiter } from './proxies';
import type { Fill } from './messages';
import type { PositionContext } from './position-context';
import { backOff, describeFailure, failureType, retryDelayMs } from './position-recovery';

/** An exit placement unanswered this long is flagged: one transient failure and its retry fit inside it. */
const EXIT_UNANSWERED_FLAG_AFTER = '5s';

/**
 * Temporal retries a placement through broker outages (5xx, timeouts, an
 * expired token) without the workflow seeing a failure, so an exit stuck
 * there is flagged like a refused one instead of sitting silently in EXITING.
 */
async function flagIfUnanswered<T>(
  ctx: PositionContext,
  leg: OrderLeg,
  placing: Promise<T>,
): Promise<T> {
  // Patched so exits recorded before the flag existed still replay.
  if (leg !== 'EXIT' || !patched('flag-unanswered-exit')) return placing;
  let answered = false;
  const settle = () => (answered = true);
  placing.then(settle, settle);
  if (!(await condition(() => answered, EXIT_UNANSWERED_FLAG_AFTER)))
    ctx.markExitBlocked(`exit order not acknowledged within ${EXIT_UNANSWERED_FLAG_AFTER}`);
  return placing;
}

export type SliceResult = { ok: true; fill: Fill } | { ok: false; reason: string };
type Obtained = { orderId: string } | { refused: string };

/**
 * The order carrying `tag`, read until the broker answers: once a placement
 * may have booked an order, knowing whether it did is worth any wait.
 */
async function lookUpTag(ctx: PositionContext, tag: string): Promise<OrderState | null> {
  for (let failures = 0; ; failures++) {
    try {
      return await orders.findOrderByTag({ tag });
    } catch (err) {
      ctx.needsAttention(`looking up order ${tag}: ${describeFailure(err)}`);
      await backOff(ctx, retryDelayMs(ctx, failures));
    }
  }
}

const fromBooked = (booked: OrderState): Obtained =>
  booked.status === 'REJECTED'
    ? { refused: booked.statusMessage ?? 'rejected by the exchange' }
    : { orderId: booked.orderId };

/**
 * Places (or adopts, by tag) one child order; a slice the trigger already
 * placed is taken by its id. A refusal is an answer; any other failure may
 * have left an order booked, so the tag is looked up before this intent is
 * given up. An entry is never placed once a force exit or kill switch has
 * arrived: it is only looked up.
 */
async function obtainOrder(
  ctx: PositionContext,
  leg: OrderLeg,
  tag: string,
  quantity: number,
): Promise<Obtained> {
  if (leg === 'ENTRY' && ctx.forceExitReason !== undefined) {
    const booked = await lookUpTag(ctx, tag);
    return booked ? fromBooked(booked) : { refused: `entry aborted: ${ctx.forceExitReason}` };
  }
  const placedByTrigger = leg === 'EXIT' && ctx.state.exitRound?.placed?.find((p) => p.tag === tag);
  if (placedByTrigger) return { orderId: placedByTrigger.orderId };
  const contract = ctx.state.contract!;
  const place = leg === 'ENTRY' ? entryBroker.placeOrder : exitBroker.placeOrder;
  try {
    const { orderId } = await flagIfUnanswered(
      ctx,
      leg,
      place({
        tag,
        tradingsymbol: contract.tradingSymbol,
        exchange: 'NFO',
        transactionType: leg === 'ENTRY' ? 'BUY' : 'SELL',
        quantity,
        product: ctx.rules.entry.product,
        orderType: 'MARKET',
        marketProtection: ctx.rules.entry.marketProtection,
        ...(leg === 'EXIT' &&
          ctx.state.triggeredAt !== undefined && { intentAt: ctx.state.triggeredAt }),
        // An exit may race the trigger's own placement of its tags, possibly from another worker.
        ...(leg === 'EXIT' && { lookup: 'broker' as const }),
      }),
    );
    return { orderId };
  } catch (err) {
    const why = describeFailure(err);
    const type = failureType(err);
    if (type === FailureType.OrderRejected) return { refused: why.replace(/^OrderRejected: /, '') };
    // Another order holds this tag, so none of ours can: the next attempt's tag is free.
    if (type === FailureType.TagConflict) {
      ctx.needsAttention(`${leg.toLowerCase()} order: ${why}`);
      return { refused: why };
    }
    log.warn('placement failed; looking its tag up before giving it up', { tag, why });
    const booked = await lookUpTag(ctx, tag);
    if (booked) {
      log.warn('order found booked after its placement failed; adopting it', {
        tag,
        orderId: booked.orderId,
      });
      return fromBooked(booked);
    }
    if (leg === 'EXIT') ctx.needsAttention(`exit order ${tag} not placed: ${why}`);
    return { refused: `${leg.toLowerCase()} order not placed: ${why}` };
  }
}

/**
 * Waits for a known order to finish and cancels whatever has not filled when
 * the wait ends, so the answer is final. The order exists, so its fill must
 * be learnt whatever the broker's reads do: failures are retried with
 * backoff, with the position flagged, for as long as it takes.
 */
async function settleOrder(
  ctx: PositionContext,
  orderId: string,
  tag: string,
): Promise<OrderState> {
  const timeoutSeconds = ctx.rules.entry.fillTimeoutSeconds;
  for (let failures = 0; ; failures++) {
    try {
      const result = await orderWaiter(timeoutSeconds).awaitOrder({ orderId, timeoutSeconds });
      if (result.pendingQuantity === 0) return result;
      log.warn('order not fully filled in time; cancelling the rest', {
        orderId,
        tag,
        filled: result.filledQuantity,
      });
      return await orders.cancelOrder({ orderId });
    } catch (err) {
      ctx.needsAttention(`settling order ${orderId} (${tag}): ${describeFailure(err)}`);
      await backOff(ctx, retryDelayMs(ctx, failures));
    }
  }
}

/**
 * signals-only: the fill the order would have had, at the quote of the
 * moment (the entry at the ask the strike was chosen at, an exit at the
 * bid of a fresh quote), with nothing sent to the broker.
 */
async function simulatedFill(
  ctx: PositionContext,
  leg: OrderLeg,
  tag: string,
  quantity: number,
): Promise<SliceResult> {
  let price = ctx.state.quotedEntry!;
  if (leg === 'EXIT') {
    const [quote] = await marketData
      .getQuote({ tokens: [ctx.state.contract!.token] })
      .catch(() => [undefined]);
    price = quote?.bid || quote?.ltp || ctx.state.lastPrice || ctx.state.entryPrice!;
  }
  return {
    ok: true,
    fill: {
      orderId: `simulated-${tag}`,
      tag,
      quantity,
      averagePrice: price,
      at: Date.now(),
      simulated: true,
    },
  };
}

/** One child order from intent to final fill; never throws for a broker's or an activity's failure. */
async function placeAndSettle(
  ctx: PositionContext,
  leg: OrderLeg,
  attempt: number,
  slice: number,
  quantity: number,
): Promise<SliceResult> {
  const tag = ctx.tag(leg, attempt, slice);
  if (ctx.rules.simulated) return simulatedFill(ctx, leg, tag, quantity);
  const obtained = await obtainOrder(ctx, leg, tag, quantity);
  if ('refused' in obtained) return { ok: false, reason: obtained.refused };
  const { orderId } = obtained;
  const result = await settleOrder(ctx, orderId, tag);
  if (result.status === 'REJECTED' && result.filledQuantity === 0) {
    return { ok: false, reason: result.statusMessage ?? 'rejected by the exchange' };
  }
  return {
    ok: true,
    fill: {
      orderId,
      tag,
      quantity: result.filledQuantity,
      averagePrice: result.averagePrice,
      at: Date.now(),
    },
  };
}

/**
 * A slice the broker refused as over the freeze limit teaches the limit
 * (the table can lag an NSE circular): the contract keeps the smaller one,
 * so the next round is sliced to fit. True when it learnt something.
 */
function learnFreezeLimit(ctx: PositionContext, reasons: string[]): boolean {
  const contract = ctx.state.contract!;
  const learnt = reasons
    .map((r) => freezeLimitFromRefusal(r, contract.freezeQty, contract.lotSize))
    .filter((l): l is number => l !== undefined && l < contract.freezeQty);
  if (learnt.length === 0) return false;
  const limit = Math.min(...learnt);
  log.warn('the broker refused a slice over its freeze limit; slicing smaller', {
    positionId: ctx.state.positionId,
    was: contract.freezeQty,
    now: limit,
  });
  contract.freezeQty = limit;
  return true;
}

/**
 * Sends the freeze-limit slices of one leg together and gathers their fills.
 * Each slice settles on its own, so one slice's trouble never drops its
 * siblings' fills. `resliced` says a slice was refused for the freeze limit
 * and the limit is now smaller: the rest should go out again at once.
 */
export async function placeSlices(
  ctx: PositionContext,
  leg: OrderLeg,
  attempt: number,
  quantity: number,
): Promise<{ fills: Fill[]; rejections: string[]; resliced: boolean }> {
  const contract = ctx.state.contract!;
  const slices = sliceQuantity(quantity, contract.lotSize, contract.freezeQty);
  const results = await Promise.all(
    slices.map((qty, i) => placeAndSettle(ctx, leg, attempt, i, qty)),
  );
  const rejections = results.flatMap((r) => (r.ok ? [] : [r.reason]));
  return {
    fills: results.flatMap((r) => (r.ok && r.fill.quantity > 0 ? [r.fill] : [])),
    rejections,
    resliced: learnFreezeLimit(ctx, rejections),
  };
}
