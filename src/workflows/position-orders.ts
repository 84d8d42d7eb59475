import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  log,
  patched,
  sleep,
} from '@temporalio/workflow';
import { FailureType } from '../activities/failure-types';
import { orderTag, type OrderLeg } from '../domain/order-tag';
import { sliceQuantity } from '../domain/sizing';
import { entryBroker, exitBroker, orders, orderWaiter } from './proxies';
import type { Fill } from './messages';
import type { PositionContext } from './position-context';

/** The broker's definitive refusal; anything else (ambiguity after retries, tag conflicts) is not ours to absorb. */
function brokerRefusal(err: unknown): string | undefined {
  const failure = err instanceof ActivityFailure ? err.cause : err;
  return failure instanceof ApplicationFailure && failure.type === FailureType.OrderRejected
    ? failure.message
    : undefined;
}

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

/**
 * Entry placement gives up after its retries (a broker outage), but an
 * attempt that failed ambiguously may still have booked the order. Failing
 * the workflow then would leave that position unsupervised, so the tag is
 * looked up, retrying for as long as the outage lasts, and a booked order is
 * taken on like any other.
 */
async function findAbandonedEntry(
  tag: string,
  err: unknown,
): Promise<{ ok: true; orderId: string } | { ok: false; reason: string }> {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  const why = cause instanceof Error ? cause.message : String(cause);
  log.warn('entry placement gave up; looking its tag up before giving up the entry', { tag, why });
  const booked = await orders.findOrderByTag({ tag });
  if (!booked) return { ok: false, reason: `entry order not placed: ${why}` };
  if (booked.status === 'REJECTED')
    return { ok: false, reason: booked.statusMessage ?? 'rejected by the exchange' };
  log.warn('entry order found booked after placement gave up; adopting it', {
    tag,
    orderId: booked.orderId,
  });
  return { ok: true, orderId: booked.orderId };
}

/**
 * Places one child order and waits for it; whatever has not filled when the
 * wait ends is cancelled, so the result is final: the quantity that filled
 * and its average price, possibly zero.
 */
async function placeAndSettle(
  ctx: PositionContext,
  leg: OrderLeg,
  attempt: number,
  slice: number,
  quantity: number,
): Promise<SliceResult> {
  const contract = ctx.state.contract!;
  const tag = orderTag(ctx.workflowId, leg, attempt, slice);
  const place = leg === 'ENTRY' ? entryBroker.placeOrder : exitBroker.placeOrder;
  let orderId: string;
  try {
    ({ orderId } = await flagIfUnanswered(
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
      }),
    ));
  } catch (err) {
    const refusal = brokerRefusal(err);
    if (refusal !== undefined) return { ok: false, reason: refusal };
    if (leg === 'EXIT') throw err;
    const booked = await findAbandonedEntry(tag, err);
    if (!booked.ok) return booked;
    orderId = booked.orderId;
  }
  const timeoutSeconds = ctx.rules.entry.fillTimeoutSeconds;
  let result = await orderWaiter(timeoutSeconds).awaitOrder({ orderId, timeoutSeconds });
  if (result.pendingQuantity > 0) {
    log.warn('order not fully filled in time; cancelling the rest', {
      orderId,
      tag,
      filled: result.filledQuantity,
    });
    result = await orders.cancelOrder({ orderId });
  }
  if (result.status === 'REJECTED' && result.filledQuantity === 0) {
    return { ok: false, reason: result.statusMessage ?? 'rejected by the exchange' };
  }
  return {
    ok: true,
    fill: { orderId, tag, quantity: result.filledQuantity, averagePrice: result.averagePrice },
  };
}

/** Sends the freeze-limit slices of one leg together and gathers their fills. */
export async function placeSlices(
  ctx: PositionContext,
  leg: OrderLeg,
  attempt: number,
  quantity: number,
): Promise<{ fills: Fill[]; rejections: string[] }> {
  const contract = ctx.state.contract!;
  const slices = sliceQuantity(quantity, contract.lotSize, contract.freezeQty);
  const results = await Promise.all(
    slices.map((qty, i) => placeAndSettle(ctx, leg, attempt, i, qty)),
  );
  return {
    fills: results.flatMap((r) => (r.ok && r.fill.quantity > 0 ? [r.fill] : [])),
    rejections: results.flatMap((r) => (r.ok ? [] : [r.reason])),
  };
}

const EXIT_RETRY_MAX_MS = 30_000;

/**
 * Sells everything that is held, retrying with a new attempt number (and so
 * a new tag) after each rejection until the position is flat. It never gives
 * up: a position that cannot be exited is flagged, not abandoned.
 */
export async function exitEverything(ctx: PositionContext): Promise<void> {
  const held = () => ctx.state.quantity - ctx.state.exitFills.reduce((s, f) => s + f.quantity, 0);
  while (held() > 0) {
    const attempt = ctx.state.exitAttempts++;
    const { fills, rejections } = await placeSlices(ctx, 'EXIT', attempt, held());
    ctx.state.exitFills.push(...fills);
    // A round that sold something made progress: send the remainder at once.
    if (held() === 0 || fills.length > 0) continue;
    ctx.markExitBlocked(rejections[0] ?? 'exit order did not fill');
    await sleep(Math.min(EXIT_RETRY_MAX_MS, 1000 * 2 ** Math.min(attempt, 5)));
  }
  ctx.markExitBlocked(undefined);
}
