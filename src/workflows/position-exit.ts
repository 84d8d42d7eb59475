import { log, patched } from '@temporalio/workflow';
import { istDateOf } from '../domain/calendar';
import { chargesByTradeDate, type PositionCharges } from '../domain/charges';
import { sizeExit, type ExitSizing } from '../domain/holdings';
import { tagPrefix } from '../domain/order-tag';
import { sliceQuantity } from '../domain/sizing';
import { averagePrice, netPnl } from '../domain/pnl';
import { isSessionOpen, nextSessionOpen } from '../domain/session';
import { istTimestamp } from '../domain/strategies';
import { brokerTruth } from './proxies';
import { releaseSlot } from './position-account';
import type { ExitReason, Fill, Outcome, PositionSummary } from './messages';
import type { PositionContext } from './position-context';
import { backOff, describeFailure, historyIsLong, retryDelayMs } from './position-recovery';
import { placeSlices } from './position-orders';

const HOUR_MS = 3_600_000;

/**
 * An exit can only fill while the exchange matches, so outside the session
 * it waits for the next open instead of retrying all night. Returns true
 * when it waited (the caller re-reads the broker afterwards).
 */
async function waitForSession(ctx: PositionContext): Promise<boolean> {
  const { session } = ctx.rules;
  const now = Date.now();
  if (isSessionOpen(now, session)) return false;
  let opens: number;
  try {
    opens = nextSessionOpen(now, session);
  } catch {
    // No trading day in the calendar ahead (a missing holiday list): look again in an hour.
    opens = now + HOUR_MS;
  }
  ctx.markExitBlocked(`market closed; the exit resumes at ${istTimestamp(opens)} IST`);
  await backOff(ctx, opens - now);
  return true;
}

/** Units the broker no longer shows for this position were sold elsewhere: their fills are the broker's. */
async function recordClosedElsewhere(ctx: PositionContext, quantity: number): Promise<void> {
  const contract = ctx.state.contract!;
  const fills = await brokerTruth.externalCloseFills({
    tradingsymbol: contract.tradingSymbol,
    product: contract.product ?? 'MIS',
    quantity,
    since: ctx.state.openedAt ?? 0,
  });
  ctx.state.exitFills.push(...fills);
  log.warn('position was closed elsewhere; taking the broker trades as its exit', {
    positionId: ctx.state.positionId,
    quantity,
    fills,
  });
}

/**
 * An exit that did not come from the trigger (an operator, a timer, a
 * cancellation) may still race one that did: the trigger was armed with
 * this round's tags. Any of them booked makes that round the one in
 * flight, adopted and completed under the same tags, never a second sale.
 */
async function adoptArmedExit(ctx: PositionContext): Promise<void> {
  const armed = ctx.state.armedExit!;
  const contract = ctx.state.contract!;
  const slices = sliceQuantity(armed.quantity, contract.lotSize, contract.freezeQty);
  const found = await Promise.all(
    slices.map((_, i) => brokerTruth.findOrderByTag({ tag: ctx.tag('EXIT', armed.attempt, i) })),
  ).catch((err: unknown) => {
    // Selling again before knowing whether the trigger sold could sell twice: blocked until the book answers.
    ctx.markExitBlocked(`cannot look up the trigger's exit orders: ${describeFailure(err)}`);
    throw err;
  });
  ctx.state.armedExit = undefined;
  if (!found.some((o) => o !== null)) return;
  log.warn('the armed trigger placed the exit first; adopting its round', {
    positionId: ctx.state.positionId,
    attempt: armed.attempt,
  });
  ctx.state.exitRound = { attempt: armed.attempt, quantity: armed.quantity };
  ctx.state.exitAttempts = Math.max(ctx.state.exitAttempts, armed.attempt + 1);
}

/** What the next round may sell: the broker's truth, net of the siblings on the contract. */
async function sizeByBroker(ctx: PositionContext): Promise<ExitSizing> {
  const contract = ctx.state.contract!;
  const truth = await brokerTruth.readPositionTruth({
    tradingsymbol: contract.tradingSymbol,
    product: contract.product ?? 'MIS',
    workflowId: ctx.workflowId,
    held: ctx.held,
    owner: tagPrefix(ctx.workflowId, ctx.state.tagScheme),
  });
  const sizing = sizeExit({
    held: ctx.held,
    brokerNet: truth.brokerNet,
    othersHeld: truth.othersHeld,
    aheadHeld: truth.aheadHeld,
    lotSize: contract.lotSize,
  });
  if (sizing.excess > 0 && ctx.state.brokerExcess !== sizing.excess) {
    ctx.state.brokerExcess = sizing.excess;
    log.error('the broker holds more of this contract than its positions; leaving it alone', {
      positionId: ctx.state.positionId,
      excess: sizing.excess,
      brokerNet: truth.brokerNet,
      others: truth.others,
    });
    ctx.notice(
      `broker holds ${sizing.excess} more ${contract.tradingSymbol} than its positions`,
      'The exit sells only this position; the excess is left alone for a person or reconciliation.',
      { excess: sizing.excess, brokerNet: truth.brokerNet },
    );
  }
  return sizing;
}

/**
 * EXITING until this position holds nothing. Before each round the broker's
 * net position is read and no more is sold than the broker still shows long
 * for this position (net of its siblings on the contract), so a position
 * closed elsewhere ends as an external close and an exit never opens a
 * short. A round in flight is recorded before its orders go out, so a
 * retry, a cancellation or a new run resumes it under the same tags.
 */
export async function exitPosition(ctx: PositionContext): Promise<'FLAT' | 'CONTINUE_AS_NEW'> {
  if (ctx.state.armedExit && !ctx.state.exitRound) await adoptArmedExit(ctx);
  for (let blocked = 0; ctx.held > 0;) {
    if (historyIsLong(ctx)) return 'CONTINUE_AS_NEW';
    if (!ctx.state.exitRound) {
      // Patched: exits recorded before the broker was asked first replay without these steps.
      const asksBroker = patched('exit-sized-by-broker') && !ctx.rules.simulated;
      if (asksBroker && (await waitForSession(ctx))) continue;
      const sizing = asksBroker
        ? await sizeByBroker(ctx).catch((err: unknown) => {
            // An exit that cannot see the broker's book is blocked as surely as a refused one.
            ctx.markExitBlocked(`cannot read the broker's position: ${describeFailure(err)}`);
            throw err;
          })
        : { sell: ctx.held, closedElsewhere: 0, excess: 0 };
      if (sizing.closedElsewhere > 0) await recordClosedElsewhere(ctx, sizing.closedElsewhere);
      if (sizing.sell === 0) break;
      ctx.state.exitRound = { attempt: ctx.state.exitAttempts++, quantity: sizing.sell };
    }
    const { attempt, quantity } = ctx.state.exitRound;
    const { fills, rejections, resliced } = await placeSlices(ctx, 'EXIT', attempt, quantity);
    ctx.state.exitFills.push(...fills);
    ctx.state.exitRound = undefined;
    if (fills.length > 0 || resliced) {
      blocked = 0;
      continue;
    }
    ctx.markExitBlocked(rejections[0] ?? 'exit order did not fill');
    await backOff(ctx, retryDelayMs(ctx, blocked++));
  }
  ctx.markExitBlocked(undefined);
  return 'FLAT';
}

const toFill = (f: Fill) => ({ quantity: f.quantity, price: f.averagePrice });

/** One line per executed order of ours or a stranger's, as Kite's contract note wants it. */
function executedOrders(ctx: PositionContext) {
  const { entryFills, exitFills, contract } = ctx.state;
  const sided = [
    ...entryFills.map((f) => ({ f, side: 'BUY' as const })),
    ...exitFills.map((f) => ({ f, side: 'SELL' as const })),
  ].filter(({ f }) => !f.external || f.external.priced === 'trades');
  const orders = new Map<
    string,
    { side: 'BUY' | 'SELL'; quantity: number; value: number; at: number }
  >();
  for (const { f, side } of sided) {
    const o = orders.get(f.orderId) ?? { side, quantity: 0, value: 0, at: f.at ?? Date.now() };
    o.quantity += f.quantity;
    o.value += f.quantity * f.averagePrice;
    orders.set(f.orderId, o);
  }
  return [...orders].map(([orderId, o]) => ({
    orderId,
    date: istDateOf(o.at),
    exchange: 'NFO' as const,
    tradingsymbol: contract!.tradingSymbol,
    transactionType: o.side,
    product: contract!.product ?? 'MIS',
    orderType: 'MARKET' as const,
    quantity: o.quantity,
    averagePrice: Math.round((o.value / o.quantity) * 100) / 100,
  }));
}

/**
 * The broker's charges for the position's orders, beside ours. A broker
 * that cannot answer costs the record, never the close; a difference of
 * more than a paisa is an error a person should see.
 */
async function brokerChargesOf(ctx: PositionContext, ours: PositionCharges) {
  const orders = executedOrders(ctx);
  if (orders.length === 0) return {};
  try {
    const note = await brokerTruth.contractNote({ orders });
    const chargesDifference = Math.round((note.total.total - ours.total) * 100) / 100;
    if (Math.abs(chargesDifference) > 0.01) {
      log.error("the broker's charges differ from ours by more than a paisa", {
        positionId: ctx.state.positionId,
        ours: ours.total,
        broker: note.total.total,
        difference: chargesDifference,
      });
      ctx.notice(
        `charges differ from the broker's by ${chargesDifference}`,
        'The report shows the broker figure; the dated rates may be out of date.',
        { ours: ours.total, broker: note.total.total },
      );
    }
    return { brokerCharges: note.total, chargesDifference };
  } catch (err) {
    log.warn('no contract note from the broker; the summary keeps our charges only', {
      positionId: ctx.state.positionId,
      error: describeFailure(err),
    });
    return {};
  }
}

/** Flat at the broker: charges, P&L, the account slot released, CLOSED. */
export async function closePosition(ctx: PositionContext): Promise<PositionSummary> {
  const { entryFills, exitFills } = ctx.state;
  const requested = ctx.state.exitReason!;
  const reason: ExitReason =
    exitFills.length > 0 && exitFills.every((f) => f.external) ? 'EXTERNAL_CLOSE' : requested;
  if (reason !== requested) {
    ctx.state.requestedExit = requested;
    ctx.state.exitReason = reason;
  }
  // Brokerage is per executed order: an order filled in several trades pays
  // once, and units priced at the last price (no trade found) pay nothing.
  // A fill is charged at the rates of its own trade date; fills recorded
  // before they carried a time trade on the day the position opened (entries)
  // or closes (exits).
  const closedAt = Date.now();
  const counted = new Set<string>();
  const charged = (fills: Fill[], side: 'BUY' | 'SELL', at: number) =>
    fills.map((f) => {
      const first = f.orderId !== 'external' && !counted.has(f.orderId);
      counted.add(f.orderId);
      return { ...toFill(f), side, orders: first ? 1 : 0, date: istDateOf(f.at ?? at) };
    });
  const charges = chargesByTradeDate(
    [
      ...charged(entryFills, 'BUY', ctx.state.openedAt ?? closedAt),
      ...charged(exitFills, 'SELL', closedAt),
    ],
    ctx.rules.charges,
  );
  const pnl = netPnl({
    entryFills: entryFills.map(toFill),
    exitFills: exitFills.map(toFill),
    charges: charges.total,
  });
  const outcome: Outcome = pnl.net > 0 ? 'WIN' : pnl.net < 0 ? 'LOSS' : 'FLAT';
  // Patched: closes recorded before the broker was asked replay without the call.
  const broker =
    patched('contract-note-at-close') && !ctx.rules.simulated
      ? await brokerChargesOf(ctx, charges)
      : {};
  await releaseSlot(ctx, pnl.net);
  ctx.state.summary = {
    ...ctx.summaryOf(outcome),
    quantity: ctx.state.quantity,
    entryPrice: ctx.state.entryPrice,
    exitPrice: averagePrice(exitFills.map(toFill)),
    exitReason: reason,
    grossPnl: pnl.gross,
    charges: pnl.charges,
    chargesBreakdown: charges,
    ...broker,
    ...(ctx.rules.simulated && { simulated: true as const }),
    netPnl: pnl.net,
    openedAt: ctx.state.openedAt,
    closedAt,
  };
  ctx.attentionResolved();
  ctx.setPhase('CLOSED', { reason, netPnl: pnl.net });
  ctx.alerts.send({
    kind: 'EXIT_FILLED',
    severity: pnl.net < 0 ? 'warning' : 'info',
    title: `${reason} ${ctx.state.contract!.tradingSymbol}: net ${pnl.net}`,
    text: `Sold ${ctx.state.quantity} at ${ctx.state.summary.exitPrice}; bought at ${ctx.state.entryPrice}.`,
    workflowId: ctx.workflowId,
    positionId: ctx.state.positionId,
    fields: { netPnl: pnl.net, grossPnl: pnl.gross, charges: pnl.charges },
  });
  ctx.setOutcome(outcome);
  return ctx.state.summary;
}
