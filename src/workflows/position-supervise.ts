import {
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxySinks,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import {
  applyExitModification as applyToPlan,
  buildExitPlan,
  nextTimeExit,
  nextTriggerLevels,
  onPremium,
  onUnderlying,
  underlyingTriggerLevels,
  validateExitModification,
  type ExitPlan,
  type TriggerLevels,
} from '../domain/exits';
import { roundToTick } from '../domain/money';
import { sliceQuantity } from '../domain/sizing';
import { squareOffAt } from '../domain/session';
import { market, marketData } from './proxies';
import {
  accountWorkflowId,
  markSignal,
  type ExitModification,
  type ExitReason,
  type TriggerSinks,
} from './messages';

const triggerSinks = proxySinks<TriggerSinks>();
import type { PositionContext } from './position-context';
import { describeFailure, historyIsLong, retryDelayMs } from './position-recovery';

export function planExits(ctx: PositionContext, entryPrice: number): ExitPlan {
  const now = Date.now();
  return buildExitPlan({
    entryPrice,
    entryAt: now,
    rules: ctx.rules.exits,
    overrides: ctx.signal.exits,
    squareOffAt: squareOffAt(now, ctx.rules.session),
  });
}

const openPlan = (ctx: PositionContext): ExitPlan => {
  const plan = ctx.state.exits;
  if (ctx.state.phase !== 'OPEN' || !plan)
    throw new Error(`position is ${ctx.state.phase}, not OPEN`);
  return plan;
};

/**
 * Update validator: what can be judged without the market (the phase, tick
 * multiples, stop below target, a well-formed trailing rule). It runs before
 * the update is accepted into history, so a malformed request leaves no trace.
 */
export function checkExitModification(ctx: PositionContext, mod: ExitModification): void {
  const verdict = validateExitModification(openPlan(ctx), undefined, mod);
  if (!verdict.ok) throw new Error(verdict.reasons.join('; '));
}

/**
 * A new stop or target must not already be through the market, judged on a
 * fresh quote (a validator cannot call an activity, and the last premium a
 * trigger saw may be minutes old). Refused here, the update fails and the
 * plan is unchanged.
 */
export async function applyExitModification(
  ctx: PositionContext,
  mod: ExitModification,
): Promise<ExitPlan> {
  // Patched: modifications recorded before the fresh quote replay against the remembered premium.
  const premium = patched('modify-exits-fresh-quote')
    ? ((await marketData.getQuote({ tokens: [ctx.state.contract!.token] }))[0]?.ltp ?? NaN)
    : (ctx.state.lastPrice ?? ctx.state.entryPrice!);
  const plan = openPlan(ctx);
  const verdict = validateExitModification(plan, premium, mod);
  if (!verdict.ok)
    throw ApplicationFailure.nonRetryable(verdict.reasons.join('; '), 'InvalidModification');
  const next = applyToPlan(plan, mod);
  ctx.state.exits = next;
  ctx.state.lastPrice = premium;
  if (mod.stopLoss !== undefined) ctx.state.stopHistory.push(next.stopLoss);
  log.info('exits modified', {
    positionId: ctx.state.positionId,
    stopLoss: next.stopLoss,
    target: next.target,
    premium,
  });
  return next;
}

type Wake =
  | { kind: 'message' }
  | { kind: 'retry' }
  | { kind: 'timer'; reason: ExitReason }
  | {
      kind: 'price';
      legIndex: number;
      side: 'below' | 'above';
      price: number;
      at: number;
      /** Exit orders the trigger placed itself under the armed round's tags. */
      exitOrders: { tag: string; orderId: string }[];
    };

/** Pause halts the automated exits; the square-off timer keeps running regardless. */
function armedTimer(ctx: PositionContext, plan: ExitPlan): { at: number; reason: ExitReason } {
  return ctx.state.paused ? { at: plan.squareOffAt, reason: 'SQUARE_OFF' } : nextTimeExit(plan);
}

/**
 * Trigger levels on the tick grid, rounded so each fires no later than the
 * level asked for (below rounds up, above rounds down). Levels are rounded
 * at intake and in the plan already; this keeps a level carried from an
 * older run, or a bug, from failing the trigger's input check.
 */
const onTicks = (levels: TriggerLevels): TriggerLevels => ({
  ...(levels.below !== undefined && { below: roundToTick(levels.below, undefined, 'up') }),
  ...(levels.above !== undefined && { above: roundToTick(levels.above, undefined, 'down') }),
});

function triggerLegs(ctx: PositionContext, plan: ExitPlan) {
  const contract = ctx.state.contract!;
  const legs = [{ token: contract.token, ...onTicks(nextTriggerLevels(plan)) }];
  if (plan.underlying) {
    const levels = onTicks(underlyingTriggerLevels(ctx.state.direction, plan.underlying));
    if (levels.below !== undefined || levels.above !== undefined)
      legs.push({ token: contract.underlyingToken, ...levels } as (typeof legs)[number]);
  }
  return legs;
}

/**
 * The exit the trigger places itself when a stop or target crosses: the next
 * exit round, its size and tags fixed now, so the order leaves from the
 * tick's own process. A trailing step (an `above` below the target) only
 * wakes the workflow to ratchet. Not armed for a simulated position.
 */
function exitIntentOf(ctx: PositionContext, plan: ExitPlan, legs: ReturnType<typeof triggerLegs>) {
  const contract = ctx.state.contract!;
  const quantity = ctx.held;
  if (ctx.rules.simulated || quantity <= 0 || !patched('trigger-places-exit')) return {};
  const attempt = ctx.state.exitAttempts;
  const slices = sliceQuantity(quantity, contract.lotSize, contract.freezeQty);
  const target = onTicks({ above: plan.target }).above;
  const on = [
    { legIndex: 0, side: 'below' as const },
    ...(legs[0].above === target ? [{ legIndex: 0, side: 'above' as const }] : []),
    ...(legs[1]?.below !== undefined ? [{ legIndex: 1, side: 'below' as const }] : []),
    ...(legs[1]?.above !== undefined ? [{ legIndex: 1, side: 'above' as const }] : []),
  ];
  ctx.state.armedExit = { attempt, quantity };
  return {
    exit: {
      armId: `${workflowInfo().runId}:${++ctx.arms}`,
      tradingsymbol: contract.tradingSymbol,
      product: contract.product ?? 'MIS',
      quantity,
      lotSize: contract.lotSize,
      freezeQty: contract.freezeQty,
      marketProtection: ctx.rules.entry.marketProtection,
      tags: slices.map((_, i) => ctx.tag('EXIT', attempt, i)),
      on,
    },
  };
}

/**
 * The trigger placed the exit: its round becomes the one in flight, so the
 * exit awaits those orders instead of sending a round of its own. A slice
 * the trigger did not place is placed under its tag, looked up first.
 */
function adoptTriggeredExit(
  ctx: PositionContext,
  placed: { tag: string; orderId: string }[],
): void {
  const armed = ctx.state.armedExit!;
  ctx.state.exitRound = {
    attempt: armed.attempt,
    quantity: armed.quantity,
    // Patched: rounds recorded before looked the trigger's tags up at the broker, one GET /orders each.
    ...(patched('trigger-exit-awaited-by-id') && { placed }),
  };
  ctx.state.exitAttempts = Math.max(ctx.state.exitAttempts, armed.attempt + 1);
  ctx.state.armedExit = undefined;
}

/** What the worker needs to report this position's open P&L to its book while the trigger waits. */
function markOf(ctx: PositionContext) {
  const { accountDay, entryPrice, positionId } = ctx.state;
  if (!accountDay || entryPrice === undefined || ctx.held <= 0) return {};
  return { mark: { positionId, accountDay, entryPrice, quantity: ctx.held } };
}

/** A racer that never rejects: cancellation of the losers is expected, anything else is reported. */
const settle = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

/**
 * OPEN: races one price trigger (stop, target or next trailing step, plus an
 * index leg), the time-exit timer and operator messages. Each wake-up is one
 * workflow task, so history grows per trailing step, not per tick. A trigger
 * that fails is re-armed after a backoff while the timer and the messages
 * keep racing: a broken trigger delays the price exits, never the square-off
 * or an operator's exit.
 */
export async function supervise(ctx: PositionContext): Promise<ExitReason | 'CONTINUE_AS_NEW'> {
  let triggerFailures = 0;
  let retryTriggerAt: number | undefined;
  for (;;) {
    if (ctx.forceExitReason) return 'FORCE_EXIT';
    const plan = ctx.state.exits!;
    const timer = armedTimer(ctx, plan);
    const now = Date.now();
    if (now >= timer.at) return timer.reason;
    if (historyIsLong(ctx)) return 'CONTINUE_AS_NEW';

    const seen = ctx.messages;
    let armId: string | undefined;
    const scope = new CancellationScope();
    const wake = await scope.run(async () => {
      const racers: Promise<{ value: Wake } | { error: unknown }>[] = [
        settle(condition(() => ctx.messages !== seen).then((): Wake => ({ kind: 'message' }))),
        settle(sleep(timer.at - now).then((): Wake => ({ kind: 'timer', reason: timer.reason }))),
      ];
      if (ctx.state.paused) return Promise.race(racers);
      if (retryTriggerAt !== undefined && retryTriggerAt > now) {
        racers.push(settle(sleep(retryTriggerAt - now).then((): Wake => ({ kind: 'retry' }))));
        return Promise.race(racers);
      }
      const legs = triggerLegs(ctx, plan);
      const intent = exitIntentOf(ctx, plan, legs);
      armId = intent.exit?.armId;
      const trigger = market.awaitPriceTrigger({ legs, ...markOf(ctx), ...intent });
      racers.push(
        settle(
          trigger.then((fired): Wake => ({
            kind: 'price',
            legIndex: fired.legIndex,
            side: fired.side,
            price: fired.price,
            at: fired.at,
            exitOrders: (fired.exitOrders ?? []).map(({ tag, orderId }) => ({ tag, orderId })),
          })),
        ),
      );
      return Promise.race(racers);
    });
    scope.cancel();
    // The trigger may hear of its cancellation seconds from now; its worker is told at once.
    const triggerWon = !('error' in wake) && wake.value.kind === 'price';
    if (armId && !triggerWon) triggerSinks.triggers.disarm(armId);
    if ('error' in wake) {
      // Losers are only cancelled after the race, so a cancellation that wins
      // it is the workflow's own: the caller turns it into a force exit.
      if (isCancellation(wake.error)) throw wake.error;
      ctx.needsAttention(`price trigger failed: ${describeFailure(wake.error)}`);
      retryTriggerAt = Date.now() + retryDelayMs(ctx, triggerFailures++);
      continue;
    }
    if (wake.value.kind === 'retry') {
      retryTriggerAt = undefined;
      continue;
    }
    if (wake.value.kind === 'price') {
      triggerFailures = 0;
      ctx.attentionResolved();
    }
    const exit = onWake(ctx, wake.value);
    if (wake.value.kind === 'price' && wake.value.exitOrders.length > 0) {
      adoptTriggeredExit(ctx, wake.value.exitOrders);
      ctx.state.triggeredAt = wake.value.at;
      if (exit) return exit;
      // The trigger and the plan judge the same levels; a disagreement is a bug, and the order is out.
      log.error('the trigger placed an exit the plan does not see; exiting on it', {
        positionId: ctx.state.positionId,
        legIndex: wake.value.legIndex,
        side: wake.value.side,
        price: wake.value.price,
      });
      return wake.value.side === 'below' ? 'STOP_LOSS' : 'TARGET';
    }
    if (exit) {
      if (wake.value.kind === 'price') ctx.state.triggeredAt = wake.value.at;
      return exit;
    }
  }
}

function onWake(ctx: PositionContext, wake: Wake): ExitReason | undefined {
  if (wake.kind === 'timer') return wake.reason;
  if (wake.kind !== 'price') return undefined;
  const plan = ctx.state.exits!;
  if (wake.legIndex > 0)
    return onUnderlying(ctx.state.direction, plan.underlying ?? {}, wake.price);
  ctx.state.lastPrice = wake.price;
  reportMark(ctx, wake.price);
  const { state: next, exit } = onPremium(plan, wake.price);
  if (next.stopLoss !== plan.stopLoss) {
    ctx.state.stopHistory.push(next.stopLoss);
    log.info('trailing stop raised', {
      positionId: ctx.state.positionId,
      stopLoss: next.stopLoss,
      price: wake.price,
    });
  }
  ctx.state.exits = next;
  return exit;
}

/**
 * Positions started before this patch also signalled the book their open
 * P&L at each wake-up. The worker's mark reporter already marks every
 * position while its trigger is armed, so newer ones leave it to that: the
 * signal cost the position a task and two events per wake, and the book a
 * task, or a failed continue-as-new when it landed during one.
 */
function reportMark(ctx: PositionContext, price: number): void {
  const { accountDay, entryPrice, quantity } = ctx.state;
  if (!accountDay || entryPrice === undefined || patched('marks-by-the-worker-only')) return;
  const unrealisedPnl = Math.round((price - entryPrice) * quantity * 100) / 100;
  getExternalWorkflowHandle(accountWorkflowId(accountDay))
    .signal(markSignal, { positionId: ctx.state.positionId, unrealisedPnl })
    .catch((err: unknown) => log.warn('could not mark the account', { error: String(err) }));
}
