import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  setHandler,
} from '@temporalio/workflow';
import { chargesFor } from '../domain/charges';
import { chooseExpiry } from '../domain/expiry';
import { specOf } from '../domain/instruments';
import { averagePrice, netPnl } from '../domain/pnl';
import { sizePosition } from '../domain/sizing';
import { selectStrike } from '../domain/strike';
import { istDateOf } from '../domain/calendar';
import { validateSignal } from '../domain/validation';
import type { Signal } from '../domain/signal';
import { account, marketData } from './proxies';
import {
  forceExitSignal,
  modifyExitsUpdate,
  pauseSignal,
  positionStateQuery,
  resumeSignal,
  type ExitReason,
  type Outcome,
  type PositionRules,
  type PositionState,
  type PositionSummary,
} from './messages';
import { PositionContext } from './position-context';
import { exitEverything, placeSlices } from './position-orders';
import {
  applyExitModification,
  checkExitModification,
  planExits,
  supervise,
} from './position-supervise';

export interface PositionInput {
  signal: Signal;
  rules: PositionRules;
  /** Present when this run continues an earlier one that was already OPEN. */
  carried?: PositionState;
}

/**
 * One signal from validation to flat. The id is `pos-<signalId>`, so the same
 * signal sent twice is one workflow, and every order tag derives from it.
 */
export async function positionWorkflow(input: PositionInput): Promise<PositionSummary> {
  const ctx = input.carried
    ? new PositionContext(input.signal, input.rules, input.carried)
    : PositionContext.fresh(input.signal, input.rules);
  installHandlers(ctx);

  if (!input.carried) {
    const early = await openPosition(ctx);
    if (early) return early;
  }
  const reason = await supervise(ctx);
  if (reason === 'CONTINUE_AS_NEW') {
    await condition(allHandlersFinished);
    return continueAsNew<typeof positionWorkflow>({ ...input, carried: ctx.state });
  }
  return closePosition(ctx, reason);
}

function installHandlers(ctx: PositionContext): void {
  const wake = () => (ctx.messages += 1);
  setHandler(positionStateQuery, () => ctx.state);
  setHandler(forceExitSignal, (reason) => {
    ctx.forceExitReason ??= reason || 'operator';
    log.info('force exit requested', { positionId: ctx.state.positionId, reason });
    wake();
  });
  setHandler(pauseSignal, () => {
    ctx.state.paused = true;
    wake();
  });
  setHandler(resumeSignal, () => {
    ctx.state.paused = false;
    wake();
  });
  setHandler(
    modifyExitsUpdate,
    (mod) => {
      const levels = applyExitModification(ctx, mod);
      wake();
      return levels;
    },
    { validator: (mod) => checkExitModification(ctx, mod) },
  );
}

/** VALIDATING through ENTERING. Returns a summary when the position never opens. */
async function openPosition(ctx: PositionContext): Promise<PositionSummary | undefined> {
  const { signal, rules } = ctx;
  const verdict = validateSignal(signal, Date.now(), rules.signals, rules.session);
  if (!verdict.ok) return finishWithout(ctx, 'REJECTED', verdict.reasons);

  ctx.setPhase('RESERVING');
  const spec = specOf(signal.underlying);
  const fairShare =
    (rules.risk.capital * rules.risk.maxCapitalInUsePct) / 100 / rules.risk.maxOpenPositions;
  ctx.state.accountDay = istDateOf(Date.now());
  const reservation = await account.reserveRisk({
    day: ctx.state.accountDay,
    positionId: ctx.state.positionId,
    capital: fairShare,
  });
  if (!reservation.ok) return finishWithout(ctx, 'REJECTED', [reservation.reason]);

  ctx.setPhase('SELECTING');
  const { expiries } = await marketData.listExpiries({ underlying: signal.underlying });
  const expiry = chooseExpiry(expiries, istDateOf(Date.now()), rules.entry.expiryDayRule);
  if (!expiry)
    return releaseAndFinish(ctx, 'REJECTED', [
      `no listed ${signal.underlying} expiry on or after today`,
    ]);
  const chain = await marketData.getOptionChain({
    underlying: signal.underlying,
    expiry,
    strikesAround: rules.strikesAroundSpot,
  });
  const selection = selectStrike(chain, signal.direction, rules.entry.strike);
  if (!selection.ok) return releaseAndFinish(ctx, 'REJECTED', [selection.message]);
  const quote = selection.quote;
  const plan = planExits(ctx, quote.ask);
  const sizing = sizePosition({
    rule: rules.entry.sizing,
    premium: quote.ask,
    lotSize: quote.lotSize,
    freezeQty: spec.freezeQty,
    capital: rules.risk.capital,
    availableMargin: reservation.grantedCapital,
    stopDistance: quote.ask - plan.stopLoss,
  });
  if (!sizing.ok) return releaseAndFinish(ctx, 'REJECTED', [sizing.message]);
  ctx.state.contract = {
    token: quote.token,
    tradingSymbol: quote.tradingSymbol,
    optionType: quote.optionType,
    strike: quote.strike,
    expiry: quote.expiry,
    lotSize: quote.lotSize,
    freezeQty: spec.freezeQty,
    underlyingToken: spec.indexToken,
  };
  ctx.setTradingSymbol(quote.tradingSymbol);

  ctx.setPhase('ENTERING', {
    tradingSymbol: quote.tradingSymbol,
    quantity: sizing.quantity,
    slices: sizing.slices,
  });
  const { fills, rejections } = await placeSlices(ctx, 'ENTRY', 0, sizing.quantity);
  ctx.state.entryFills = fills;
  ctx.state.quantity = fills.reduce((s, f) => s + f.quantity, 0);
  if (ctx.state.quantity === 0) {
    return releaseAndFinish(
      ctx,
      'ENTRY_FAILED',
      rejections.length > 0 ? rejections : ['entry order did not fill'],
    );
  }
  ctx.state.entryPrice = averagePrice(
    fills.map((f) => ({ quantity: f.quantity, price: f.averagePrice })),
  );
  ctx.state.exits = planExits(ctx, ctx.state.entryPrice!);
  ctx.state.stopHistory.push(ctx.state.exits.stopLoss);
  ctx.state.openedAt = Date.now();
  ctx.setPhase('OPEN', {
    quantity: ctx.state.quantity,
    entryPrice: ctx.state.entryPrice,
    exits: ctx.state.exits,
  });
  return undefined;
}

async function releaseAndFinish(
  ctx: PositionContext,
  outcome: 'REJECTED' | 'ENTRY_FAILED',
  reasons: string[],
) {
  await account.releaseRisk({
    day: ctx.state.accountDay!,
    positionId: ctx.state.positionId,
    realisedPnl: 0,
  });
  return finishWithout(ctx, outcome, reasons);
}

/** What every summary says about the position, however it ended. */
const summaryOf = (ctx: PositionContext, outcome: Outcome) => ({
  positionId: ctx.state.positionId,
  outcome,
  strategy: ctx.signal.strategy,
  underlying: ctx.signal.underlying,
  tradingSymbol: ctx.state.contract?.tradingSymbol,
});

function finishWithout(
  ctx: PositionContext,
  outcome: 'REJECTED' | 'ENTRY_FAILED',
  reasons: string[],
): PositionSummary {
  ctx.state.rejection = reasons;
  ctx.setPhase(outcome, { reasons });
  ctx.setOutcome(outcome);
  ctx.state.summary = {
    ...summaryOf(ctx, outcome),
    quantity: 0,
    grossPnl: 0,
    charges: 0,
    netPnl: 0,
    reasons,
    closedAt: Date.now(),
  };
  return ctx.state.summary;
}

/** EXITING through CLOSED: flat at the broker, charges and P&L, slot released. */
async function closePosition(ctx: PositionContext, reason: ExitReason): Promise<PositionSummary> {
  ctx.state.exitReason = reason;
  ctx.setPhase('EXITING', { reason });
  await exitEverything(ctx);
  const { entryFills, exitFills } = ctx.state;
  const toFill = (f: { quantity: number; averagePrice: number }) => ({
    quantity: f.quantity,
    price: f.averagePrice,
  });
  const charges = chargesFor(
    [
      ...entryFills.map((f) => ({ ...toFill(f), side: 'BUY' as const, orders: 1 })),
      ...exitFills.map((f) => ({ ...toFill(f), side: 'SELL' as const, orders: 1 })),
    ],
    ctx.rules.charges,
  );
  const pnl = netPnl({
    entryFills: entryFills.map(toFill),
    exitFills: exitFills.map(toFill),
    charges: charges.total,
  });
  const outcome: Outcome = pnl.net > 0 ? 'WIN' : pnl.net < 0 ? 'LOSS' : 'FLAT';
  await account.releaseRisk({
    day: ctx.state.accountDay!,
    positionId: ctx.state.positionId,
    realisedPnl: pnl.net,
  });
  ctx.state.summary = {
    ...summaryOf(ctx, outcome),
    quantity: ctx.state.quantity,
    entryPrice: ctx.state.entryPrice,
    exitPrice: averagePrice(exitFills.map(toFill)),
    exitReason: reason,
    grossPnl: pnl.gross,
    charges: pnl.charges,
    netPnl: pnl.net,
    openedAt: ctx.state.openedAt,
    closedAt: Date.now(),
  };
  ctx.setPhase('CLOSED', { reason, netPnl: pnl.net });
  ctx.setOutcome(outcome);
  return ctx.state.summary;
}
