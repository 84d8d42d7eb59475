import { CancellationScope, isCancellation, log, patched } from '@temporalio/workflow';
import { FailureType } from '../activities/failure-types';
import { istDateOf } from '../domain/calendar';
import { account, localAccount } from './proxies';
import type { PositionContext } from './position-context';
import type { Early } from './position-entry';
import { describeFailure, failureType } from './position-recovery';

/** Why the book said no, or undefined when it granted the slot; an unreachable book refuses too. */
export async function reserveSlot(
  ctx: PositionContext,
  capital: number,
  adopted: boolean,
): Promise<{ granted: number } | Early> {
  ctx.setPhase('RESERVING');
  ctx.state.accountDay = istDateOf(Date.now());
  try {
    // Not cancellable: a reservation the book granted after the workflow stopped waiting would leak its slot.
    // Patched: reservations recorded before it went local replay their scheduled activity.
    const book = patched('local-reservation') ? localAccount : account;
    const reservation = await CancellationScope.nonCancellable(() =>
      book.reserveRisk({
        day: ctx.state.accountDay!,
        positionId: ctx.state.positionId,
        capital,
        ...(adopted && { adopted }),
      }),
    );
    if (!reservation.ok) return { outcome: 'REJECTED', reasons: [reservation.reason] };
    return { granted: reservation.grantedCapital };
  } catch (err) {
    if (isCancellation(err)) throw err;
    return { outcome: 'REJECTED', reasons: [`account book: ${describeFailure(err)}`] };
  }
}

/**
 * Hands the slot back with the position's realised P&L. Retried until the
 * book answers (a second release is harmless); a book that has already
 * closed has no slot to free, so that refusal is logged, not retried.
 */
export async function releaseSlot(ctx: PositionContext, realisedPnl: number): Promise<void> {
  const day = ctx.state.accountDay;
  if (!day) return;
  try {
    await CancellationScope.nonCancellable(() =>
      account.releaseRisk({ day, positionId: ctx.state.positionId, realisedPnl }),
    );
  } catch (err) {
    if (failureType(err) !== FailureType.AccountClosed) throw err;
    log.warn('the account book had closed; nothing to release', {
      positionId: ctx.state.positionId,
      error: describeFailure(err),
    });
  }
}
