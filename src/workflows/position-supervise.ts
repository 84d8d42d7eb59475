import {
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  sleep,
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
import { squareOffAt } from '../domain/session';
import { market, marketData } from './proxies';
import { accountWorkflowId, markSignal, type ExitModification, type ExitReason } from './messages';
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
  | { kind: 'price'; legIndex: number; price: number; at: number };

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
      const trigger = market.awaitPriceTrigger({
        legs: triggerLegs(ctx, plan),
        ...markOf(ctx),
      });
      racers.push(
        settle(
          trigger.then((fired): Wake => ({
            kind: 'price',
            legIndex: fired.legIndex,
            price: fired.price,
            at: fired.at,
          })),
        ),
      );
      return Promise.race(racers);
    });
    scope.cancel();
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

/** Tells the account book the open P&L at each wake-up; best effort, the worker also marks every few seconds. */
function reportMark(ctx: PositionContext, price: number): void {
  const { accountDay, entryPrice, quantity } = ctx.state;
  if (!accountDay || entryPrice === undefined) return;
  const unrealisedPnl = Math.round((price - entryPrice) * quantity * 100) / 100;
  getExternalWorkflowHandle(accountWorkflowId(accountDay))
    .signal(markSignal, { positionId: ctx.state.positionId, unrealisedPnl })
    .catch((err: unknown) => log.warn('could not mark the account', { error: String(err) }));
}
