import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { PositionActivities } from '../activities/positions';
import type { Config } from '../config/schema';
import { Alerts, chainScope } from './alerts';
import { istEpoch } from '../domain/calendar';
import {
  applyMark,
  applyMarks,
  applyRelease,
  dailyLossBreached,
  decideReservation,
  exposureOf,
  latchBreaker,
  newAccountState,
  tripKillSwitch,
  withOpenTotals,
  type AccountState,
  type Mark,
} from '../domain/risk';
import {
  accountSummaryQuery,
  entryGateSignal,
  forceExitSignal,
  killSwitchSignal,
  markSignal,
  marksSignal,
  positionWorkflowId,
  recordMarksUpdate,
  releaseUpdate,
  reserveUpdate,
  type AccountSummary,
} from './messages';

export interface AccountInput {
  day: string;
  risk: Config['risk'];
  carried?: AccountState;
  /** History events after which the book continues as new (absent in old histories: the server's suggestion only). */
  historyLimit?: number;
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
    breaker: state.breaker,
    entryGate: state.entryGate,
  };
};

/** Flattening reaches every running position, whatever day booked it; retried until it has. */
const fleet = proxyActivities<PositionActivities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/**
 * The day's risk book, `account-<YYYY-MM-DD>`: the one place that knows how
 * many positions are open, the capital they hold, the realised P&L, whether
 * the kill switch or the loss breaker is latched and whether reconciliation
 * holds entries. Position workflows reach it through update-with-start, so
 * it starts itself with the day's first reservation; once it has completed,
 * it is never started again for that day (the start refuses a duplicate of a
 * completed run), so a late request can never meet an empty book.
 */
export async function accountWorkflow(input: AccountInput): Promise<AccountSummary> {
  let state: AccountState = withOpenTotals(input.carried ?? newAccountState(input.day));
  const { risk } = input;
  // Patched so books recorded before alerts existed replay without their activities.
  const alerts = new Alerts(chainScope(), (state.alertCounts ??= {}), patched('workflow-alerts'));

  const flattenAll = async (reason: string) => {
    // The book's own positions first: they are known without a visibility query.
    await Promise.all(
      Object.keys(state.openPositions).map((id) =>
        getExternalWorkflowHandle(positionWorkflowId(id))
          .signal(forceExitSignal, reason)
          .catch((err: unknown) =>
            log.warn('could not signal position', { positionId: id, error: String(err) }),
          ),
      ),
    );
    // Patched so kill switches recorded before positions of other days were covered still replay.
    if (patched('flatten-every-running-position')) await fleet.forceExitAllPositions({ reason });
  };

  /** After any change to P&L: the first breach latches the breaker and, if configured, flattens. */
  const watchLoss = async () => {
    const latched = latchBreaker(state, risk, Date.now());
    if (latched === state) return;
    state = latched;
    log.error('daily-loss breaker tripped: no new entries today', {
      loss: state.breaker!.lossPnl,
      limit: risk.maxDailyLoss,
      flatten: risk.flattenOnDailyLoss === true,
    });
    alerts.send({
      kind: 'BREAKER_TRIPPED',
      severity: 'critical',
      title: `daily-loss breaker tripped for ${input.day}: ${state.breaker!.lossPnl}`,
      text: risk.flattenOnDailyLoss
        ? 'No new entries today; every open position is being flattened.'
        : 'No new entries today; open positions keep their exits.',
      workflowId: workflowInfo().workflowId,
      fields: { loss: state.breaker!.lossPnl, limit: risk.maxDailyLoss },
    });
    if (risk.flattenOnDailyLoss)
      await flattenAll(
        `daily-loss breaker: ${state.breaker!.lossPnl} reached ${risk.maxDailyLoss}`,
      );
  };

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
  setHandler(releaseUpdate, async (req) => {
    const before = state;
    state = applyRelease(state, req);
    const released = state !== before;
    await watchLoss();
    return {
      released,
      openPositions: Object.keys(state.openPositions).length,
      realisedPnl: state.realisedPnl,
    };
  });
  setHandler(markSignal, async ({ positionId, unrealisedPnl }) => {
    state = applyMark(state, positionId, unrealisedPnl);
    await watchLoss();
  });
  const recordMarks = async (marks: readonly Mark[]) => {
    state = applyMarks(state, marks);
    await watchLoss();
  };
  setHandler(marksSignal, recordMarks);
  setHandler(recordMarksUpdate, recordMarks);
  setHandler(entryGateSignal, (gate) => {
    state = gate.blocked
      ? { ...state, entryGate: { reason: gate.reason, at: Date.now() } }
      : { ...state, entryGate: undefined };
  });
  setHandler(killSwitchSignal, async (reason) => {
    const first = !state.killSwitch;
    state = tripKillSwitch(state, reason, Date.now());
    log.warn('kill switch latched', { reason, open: Object.keys(state.openPositions) });
    if (first)
      alerts.send({
        kind: 'KILL_SWITCH',
        severity: 'critical',
        title: `kill switch latched for ${input.day}`,
        text: `${reason}. Every open position is being flattened; no new entries today.`,
        workflowId: workflowInfo().workflowId,
        fields: { open: Object.keys(state.openPositions).length },
      });
    // Positions still entering receive the signal too and abort before they buy.
    if (first) await flattenAll(`kill switch: ${reason}`);
  });

  // The book outlives the session while positions are still open (NRML carries, a stuck exit).
  const dayEnds = istEpoch(input.day, '00:00') + DAY_MS;
  let dayOver = Date.now() >= dayEnds;
  const historyFull = () =>
    workflowInfo().continueAsNewSuggested ||
    (input.historyLimit !== undefined && workflowInfo().historyLength >= input.historyLimit);
  for (;;) {
    const finished = () =>
      historyFull() || (dayOver && Object.keys(state.openPositions).length === 0);
    if (dayOver) await condition(finished);
    else if (!(await condition(finished, dayEnds - Date.now()))) {
      dayOver = true;
      continue;
    }
    await condition(allHandlersFinished);
    if (dayOver && Object.keys(state.openPositions).length === 0) {
      const summary = summarise(state, risk);
      alerts.send(
        {
          kind: 'DAY_SUMMARY',
          severity: 'info',
          title: `${input.day}: ${summary.tradesToday} trades, realised ${summary.realisedPnl}`,
          text: summary.killSwitch
            ? `Kill switch: ${summary.killSwitch.reason}.`
            : summary.breakerTripped
              ? 'The daily-loss breaker tripped.'
              : 'A normal day.',
          workflowId: workflowInfo().workflowId,
          fields: { trades: summary.tradesToday, realisedPnl: summary.realisedPnl },
        },
        0,
      );
      await alerts.flush();
      return summary;
    }
    await alerts.flush();
    return continueAsNew<typeof accountWorkflow>({ ...input, carried: state });
  }
}
