import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Config } from '../config/schema';
import { istEpoch } from '../domain/calendar';
import {
  applyMark,
  applyRelease,
  dailyLossBreached,
  decideReservation,
  exposureOf,
  newAccountState,
  tripKillSwitch,
  type AccountState,
} from '../domain/risk';
import {
  accountSummaryQuery,
  forceExitSignal,
  killSwitchSignal,
  markSignal,
  positionWorkflowId,
  releaseUpdate,
  reserveUpdate,
  type AccountSummary,
} from './messages';

export interface AccountInput {
  day: string;
  risk: Config['risk'];
  carried?: AccountState;
}

const DAY_MS = 24 * 60 * 60 * 1000;

const summarise = (state: AccountState, risk: Config['risk']): AccountSummary => {
  const exposure = exposureOf(state);
  return {
    day: state.day,
    openPositions: Object.keys(state.openPositions),
    capitalInUse: exposure.capitalInUse,
    tradesToday: state.tradesToday,
    realisedPnl: state.realisedPnl,
    openPnl: exposure.openPnl,
    killSwitch: state.killSwitch,
    breakerTripped: dailyLossBreached(state, risk),
  };
};

/**
 * The day's risk book, `account-<YYYY-MM-DD>`: the one place that knows how
 * many positions are open, the capital they hold, the realised P&L and
 * whether the kill switch is latched. Position workflows reach it through
 * update-with-start, so it starts itself with the day's first reservation.
 */
export async function accountWorkflow(input: AccountInput): Promise<AccountSummary> {
  let state: AccountState = input.carried ?? newAccountState(input.day);

  const { risk } = input;
  setHandler(accountSummaryQuery, () => summarise(state, risk));
  setHandler(reserveUpdate, (req) => {
    const decision = decideReservation(state, req, risk);
    if (!decision.ok) {
      log.warn('reservation refused', { positionId: req.positionId, reason: decision.reason });
      return { ok: false, reason: decision.message };
    }
    state = decision.state;
    return { ok: true, grantedCapital: state.openPositions[req.positionId].capital };
  });
  setHandler(releaseUpdate, (req) => {
    state = applyRelease(state, req);
    return summarise(state, risk);
  });
  setHandler(markSignal, ({ positionId, unrealisedPnl }) => {
    state = applyMark(state, positionId, unrealisedPnl);
  });
  setHandler(killSwitchSignal, async (reason) => {
    state = tripKillSwitch(state, reason, Date.now());
    log.warn('kill switch latched', { reason, open: Object.keys(state.openPositions) });
    // Positions still entering receive the signal too and exit as soon as they hold anything.
    await Promise.all(
      Object.keys(state.openPositions).map((id) =>
        getExternalWorkflowHandle(positionWorkflowId(id))
          .signal(forceExitSignal, `kill switch: ${reason}`)
          .catch((err: unknown) =>
            log.warn('could not signal position', { positionId: id, error: String(err) }),
          ),
      ),
    );
  });

  // The book outlives the session while positions are still open (NRML carries, a stuck exit).
  const dayEnds = istEpoch(input.day, '00:00') + DAY_MS;
  let dayOver = Date.now() >= dayEnds;
  for (;;) {
    const finished = () =>
      workflowInfo().continueAsNewSuggested ||
      (dayOver && Object.keys(state.openPositions).length === 0);
    if (dayOver) await condition(finished);
    else if (!(await condition(finished, dayEnds - Date.now()))) {
      dayOver = true;
      continue;
    }
    await condition(allHandlersFinished);
    if (dayOver && Object.keys(state.openPositions).length === 0) return summarise(state, risk);
    return continueAsNew<typeof accountWorkflow>({ ...input, carried: state });
  }
}
