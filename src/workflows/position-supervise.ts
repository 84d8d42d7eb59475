import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
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
} from '../domain/exits';
import { squareOffAt } from '../domain/session';
import { market } from './proxies';
import { accountWorkflowId, markSignal, type ExitModification, type ExitReason } from './messages';
import type { PositionContext } from './position-context';

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

/** Update validator: runs before the update is accepted into history, so a bad level leaves no trace. */
export function checkExitModification(ctx: PositionContext, mod: ExitModification): void {
  const plan = ctx.state.exits;
  if (ctx.state.phase !== 'OPEN' || !plan)
    throw new Error(`position is ${ctx.state.phase}, not OPEN`);
  const verdict = validateExitModification(plan, ctx.state.lastPrice ?? plan.entryPrice, mod);
  if (!verdict.ok) throw new Error(verdict.reasons.join('; '));
}

export function applyExitModification(ctx: PositionContext, mod: ExitModification): ExitPlan {
  const plan = applyToPlan(ctx.state.exits!, mod);
  ctx.state.exits = plan;
  if (mod.stopLoss !== undefined) ctx.state.stopHistory.push(plan.stopLoss);
  log.info('exits modified', {
    positionId: ctx.state.positionId,
    stopLoss: plan.stopLoss,
    target: plan.target,
  });
  return plan;
}

type Wake =
  | { kind: 'message' }
  | { kind: 'timer'; reason: ExitReason }
  | { kind: 'price'; legIndex: number; price: number };

/** Pause halts the automated exits; the square-off timer keeps running regardless. */
function armedTimer(ctx: PositionContext, plan: ExitPlan): { at: number; reason: ExitReason } {
  return ctx.state.paused ? { at: plan.squareOffAt, reason: 'SQUARE_OFF' } : nextTimeExit(plan);
}

function triggerLegs(ctx: PositionContext, plan: ExitPlan) {
  const contract = ctx.state.contract!;
  const legs = [{ token: contract.token, ...nextTriggerLevels(plan) }];
  if (plan.underlying) {
    legs.push({
      token: contract.underlyingToken,
      ...underlyingTriggerLevels(ctx.state.direction, plan.underlying),
    } as (typeof legs)[number]);
  }
  return legs;
}

/** A racer that never rejects: cancellation of the losers is expected, anything else is rethrown by the caller. */
const settle = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

/**
 * OPEN: races one price trigger (stop, target or next trailing step, plus an
 * index leg), the time-exit timer and operator messages. Each wake-up is one
 * workflow task, so history grows per trailing step, not per tick.
 */
export async function supervise(ctx: PositionContext): Promise<ExitReason | 'CONTINUE_AS_NEW'> {
  for (;;) {
    if (ctx.forceExitReason) return 'FORCE_EXIT';
    const plan = ctx.state.exits!;
    const timer = armedTimer(ctx, plan);
    const now = Date.now();
    if (now >= timer.at) return timer.reason;
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength >= ctx.rules.historyLimit)
      return 'CONTINUE_AS_NEW';

    const seen = ctx.messages;
    const scope = new CancellationScope();
    const wake = await scope.run(async () => {
      const racers: Promise<{ value: Wake } | { error: unknown }>[] = [
        settle(condition(() => ctx.messages !== seen).then((): Wake => ({ kind: 'message' }))),
      ];
      racers.push(
        settle(sleep(timer.at - now).then((): Wake => ({ kind: 'timer', reason: timer.reason }))),
      );
      if (!ctx.state.paused) {
        const trigger = market.awaitPriceTrigger({ legs: triggerLegs(ctx, plan) });
        racers.push(
          settle(
            trigger.then((fired): Wake => ({
              kind: 'price',
              legIndex: fired.legIndex,
              price: fired.price,
            })),
          ),
        );
      }
      return Promise.race(racers);
    });
    scope.cancel();
    if ('error' in wake) {
      if (isCancellation(wake.error)) continue;
      throw wake.error;
    }
    const exit = onWake(ctx, wake.value);
    if (exit) return exit;
  }
}

function onWake(ctx: PositionContext, wake: Wake): ExitReason | undefined {
  if (wake.kind === 'timer') return wake.reason;
  if (wake.kind === 'message') return undefined;
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

/** Tells the account book the open P&L at each wake-up; best effort, the breaker also sees realised losses. */
function reportMark(ctx: PositionContext, price: number): void {
  const { accountDay, entryPrice, quantity } = ctx.state;
  if (!accountDay || entryPrice === undefined) return;
  const unrealisedPnl = Math.round((price - entryPrice) * quantity * 100) / 100;
  getExternalWorkflowHandle(accountWorkflowId(accountDay))
    .signal(markSignal, { positionId: ctx.state.positionId, unrealisedPnl })
    .catch((err: unknown) => log.warn('could not mark the account', { error: String(err) }));
}
