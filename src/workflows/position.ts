import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  setHandler,
} from '@temporalio/workflow';
import type { Signal } from '../domain/signal';
import {
  forceExitSignal,
  modifyExitsUpdate,
  pauseSignal,
  positionStateQuery,
  resumeSignal,
  type Phase,
  type PositionRules,
  type PositionState,
  type PositionSummary,
} from './messages';
import { PositionContext } from './position-context';
import {
  adoptPosition,
  decideEntry,
  settleEntry,
  type Adoption,
  type Early,
} from './position-entry';
import { releaseSlot } from './position-account';
import { closePosition, exitPosition } from './position-exit';
import { backOff, describeFailure, retryDelayMs } from './position-recovery';
import { applyExitModification, checkExitModification, supervise } from './position-supervise';

export interface PositionInput {
  signal: Signal;
  rules: PositionRules;
  /** Present when this run continues an earlier one (any phase from ENTERING on). */
  carried?: PositionState;
  /** Present when reconciliation adopts a position the broker holds with no workflow. */
  adopt?: Adoption;
}

const ENDED: readonly Phase[] = ['CLOSED', 'REJECTED', 'ENTRY_FAILED'];
const BEFORE_ORDERS: readonly Phase[] = ['VALIDATING', 'RESERVING', 'SELECTING'];

/**
 * One signal from validation to flat. The id is `pos-<signalId>`, so the same
 * signal sent twice is one workflow, and every order tag derives from it.
 *
 * Once an entry order may exist at the broker, nothing ends supervision:
 * every failure (an activity's, a broker's, a bug of ours) flags the position
 * as needing attention and is retried with backoff, while the square-off and
 * operator messages still act. A cancellation (the Web UI's Cancel button)
 * is a force exit: the position is sold and closed in a scope that cannot
 * itself be cancelled. Terminate is the operator's "forget it".
 */
export async function positionWorkflow(input: PositionInput): Promise<PositionSummary> {
  const ctx = input.carried
    ? new PositionContext(input.signal, input.rules, input.carried)
    : PositionContext.fresh(input.signal, input.rules);
  installHandlers(ctx);
  try {
    return await lifecycle(ctx, input);
  } catch (err) {
    if (!isCancellation(err)) throw err;
    ctx.forceExitReason ??= 'workflow cancelled';
    log.warn('cancellation requested: exiting the position', {
      positionId: ctx.state.positionId,
      phase: ctx.state.phase,
    });
    return CancellationScope.nonCancellable(() => lifecycle(ctx, input));
  }
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
    async (mod) => {
      const levels = await applyExitModification(ctx, mod);
      wake();
      return levels;
    },
    { validator: (mod) => checkExitModification(ctx, mod) },
  );
}

/**
 * Runs the position from whatever phase its state is in to the end, so the
 * same loop serves a fresh start, a continue-as-new and the resumption after
 * a cancellation. Each step after the first order is retried on any failure.
 */
async function lifecycle(ctx: PositionContext, input: PositionInput): Promise<PositionSummary> {
  for (let failures = 0; ;) {
    const phase = ctx.state.phase;
    if (ENDED.includes(phase)) {
      await ctx.alerts.flush();
      return ctx.state.summary!;
    }
    if (BEFORE_ORDERS.includes(phase)) {
      const ended = await beforeOrders(ctx, input);
      if (ended) await finishWithout(ctx, ended);
      continue;
    }
    try {
      if ((await step(ctx)) === 'CONTINUE_AS_NEW') {
        await ctx.alerts.flush();
        await condition(allHandlersFinished);
        return continueAsNew<typeof positionWorkflow>({
          signal: input.signal,
          rules: input.rules,
          carried: ctx.state,
        });
      }
      failures = 0;
    } catch (err) {
      if (isCancellation(err)) throw err;
      ctx.needsAttention(`${phase.toLowerCase()}: ${describeFailure(err)}`);
      await backOff(ctx, retryDelayMs(ctx, failures++), ctx.state.exits?.squareOffAt);
    }
  }
}

/** Nothing is at the broker yet: any failure here is a reason to end, never a reason to fail. */
async function beforeOrders(
  ctx: PositionContext,
  input: PositionInput,
): Promise<Early | undefined> {
  try {
    return input.adopt && !ctx.forceExitReason
      ? await adoptPosition(ctx, input.adopt)
      : await decideEntry(ctx);
  } catch (err) {
    if (isCancellation(err)) throw err;
    return { outcome: 'ENTRY_FAILED', reasons: [`before entry: ${describeFailure(err)}`] };
  }
}

/** One phase's work from ENTERING on; the phase it leaves the position in decides the next step. */
async function step(ctx: PositionContext): Promise<'CONTINUE_AS_NEW' | undefined> {
  switch (ctx.state.phase) {
    case 'ENTERING': {
      const ended = await settleEntry(ctx);
      if (ended) await finishWithout(ctx, ended);
      return undefined;
    }
    case 'OPEN': {
      const reason = await supervise(ctx);
      if (reason === 'CONTINUE_AS_NEW') return reason;
      ctx.state.exitReason = reason;
      ctx.setPhase('EXITING', { reason });
      return undefined;
    }
    case 'EXITING': {
      if ((await exitPosition(ctx)) === 'CONTINUE_AS_NEW') return 'CONTINUE_AS_NEW';
      await closePosition(ctx);
      return undefined;
    }
    default:
      throw new Error(`no step for phase ${ctx.state.phase}`);
  }
}

/** REJECTED or ENTRY_FAILED: nothing was bought, so the slot goes back. */
async function finishWithout(ctx: PositionContext, ended: Early): Promise<PositionSummary> {
  await releaseSlot(ctx, 0);
  const { outcome, reasons } = ended;
  ctx.state.rejection = reasons;
  ctx.setPhase(outcome, { reasons });
  ctx.setOutcome(outcome);
  ctx.state.summary = {
    ...ctx.summaryOf(outcome),
    quantity: 0,
    grossPnl: 0,
    charges: 0,
    netPnl: 0,
    reasons,
    closedAt: Date.now(),
  };
  return ctx.state.summary;
}
