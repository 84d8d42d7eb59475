import type { Config } from '../config/schema';
import { fromPaise, toPaise } from './money';

export type RiskConfig = Config['risk'];

export interface OpenPosition {
  /** Capital the position holds (premium paid), rupees. */
  capital: number;
  unrealisedPnl: number;
}

/**
 * The day's risk book. A plain record, not a Map, so it survives Temporal's
 * JSON payloads, queries and continue-as-new unchanged.
 */
export interface AccountState {
  day: string;
  openPositions: Record<string, OpenPosition>;
  tradesToday: number;
  realisedPnl: number;
  killSwitch?: { reason: string; at: number };
  /** The daily-loss breaker, latched for the day the first time the loss reached the limit. */
  breaker?: { at: number; lossPnl: number };
  /** Set by reconciliation: entries wait while the broker's book is unexplained. */
  entryGate?: { reason: string; at: number };
  /** Alerts the book has sent, by kind (their ids' numbers). */
  alertCounts?: Record<string, number>;
  /**
   * Sums over `openPositions`, kept by every change to them so a decision
   * never walks the book: summing it per reservation made each one O(open)
   * and a day's book O(open²); a book at 2,000 open spent half its replay
   * there. Absent in books carried from before it: see `withOpenTotals`.
   */
  openTotals?: OpenTotals;
}

/** Paise, so the running sums are exact integers whatever order they were added in. */
export interface OpenTotals {
  capitalPaise: number;
  pnlPaise: number;
  /** Open losses only: each position's mark where it is below zero. */
  lossesPaise: number;
}

export interface ReservationRequest {
  positionId: string;
  capital: number;
  /** Already at the broker (reconciliation adopted it): counted, never refused. */
  adopted?: boolean;
}

export type ReservationRejection =
  | 'KILL_SWITCH'
  | 'DAILY_LOSS'
  | 'MAX_OPEN_POSITIONS'
  | 'MAX_TRADES'
  | 'CAPITAL_LIMIT'
  | 'RECONCILIATION'
  | 'INVALID_REQUEST';

export type ReservationDecision =
  | {
      ok: true;
      state: AccountState;
      /** Capital the slot holds: the request, or what is left under the limit if that is less. */
      granted: number;
    }
  | { ok: false; reason: ReservationRejection; message: string };

export const newAccountState = (day: string): AccountState => ({
  day,
  openPositions: {},
  tradesToday: 0,
  realisedPnl: 0,
  openTotals: { capitalPaise: 0, pnlPaise: 0, lossesPaise: 0 },
});

/** One position's share of the totals; `sign` -1 takes it out. */
const addPosition = (totals: OpenTotals, p: OpenPosition, sign: 1 | -1): OpenTotals => ({
  capitalPaise: totals.capitalPaise + sign * toPaise(p.capital),
  pnlPaise: totals.pnlPaise + sign * toPaise(p.unrealisedPnl),
  lossesPaise: totals.lossesPaise + sign * toPaise(Math.min(p.unrealisedPnl, 0)),
});

/** The totals summed from the positions themselves. */
export const sumOpenTotals = (openPositions: AccountState['openPositions']): OpenTotals =>
  Object.values(openPositions).reduce((t, p) => addPosition(t, p, 1), {
    capitalPaise: 0,
    pnlPaise: 0,
    lossesPaise: 0,
  });

/** A book carried from a run before `openTotals` existed gets them summed once, here. */
export const withOpenTotals = (state: AccountState): AccountState =>
  state.openTotals ? state : { ...state, openTotals: sumOpenTotals(state.openPositions) };

const totalsOf = (state: AccountState): OpenTotals =>
  state.openTotals ?? sumOpenTotals(state.openPositions);

export interface Exposure {
  capitalInUse: number;
  /** Sum of open positions' marks, profits and losses. */
  openPnl: number;
  /** Realised P&L plus open losses only: unbanked profits never offset the breaker. */
  breakerPnl: number;
}

export function exposureOf(state: AccountState): Exposure {
  const totals = totalsOf(state);
  return {
    capitalInUse: fromPaise(totals.capitalPaise),
    openPnl: fromPaise(totals.pnlPaise),
    breakerPnl: fromPaise(toPaise(state.realisedPnl) + totals.lossesPaise),
  };
}

/** The loss has reached the limit now, or did earlier today (the breaker stays latched). */
export const dailyLossBreached = (state: AccountState, risk: RiskConfig): boolean =>
  state.breaker !== undefined ||
  -toPaise(exposureOf(state).breakerPnl) >= toPaise(risk.maxDailyLoss);

/**
 * Latches the breaker the first time the day's loss (realised plus open
 * losses) reaches the limit; returns the state unchanged otherwise. Once
 * tripped it stays tripped for the day, even if open losses recover.
 */
export function latchBreaker(state: AccountState, risk: RiskConfig, at: number): AccountState {
  if (state.breaker || !dailyLossBreached(state, risk)) return state;
  return { ...state, breaker: { at, lossPnl: exposureOf(state).breakerPnl } };
}

/**
 * Whether a new position may take a slot, checked in order of severity. The
 * capital limit trims a request to what is left rather than refusing it, so
 * the last slot of the day can still size a smaller position; it refuses
 * only when nothing is left. A position that already holds a slot gets it
 * again unchanged, so a retried reservation is harmless.
 */
export function decideReservation(
  state: AccountState,
  request: ReservationRequest,
  risk: RiskConfig,
): ReservationDecision {
  const reject = (reason: ReservationRejection, message: string): ReservationDecision => ({
    ok: false,
    reason,
    message,
  });
  const held = state.openPositions[request.positionId];
  if (held) return { ok: true, state, granted: held.capital };
  if (!(Number.isFinite(request.capital) && request.capital >= 0)) {
    return reject(
      'INVALID_REQUEST',
      `capital must be a non-negative amount, got ${request.capital}`,
    );
  }
  if (request.adopted) return grant(state, request.positionId, request.capital);
  if (state.killSwitch) {
    return reject('KILL_SWITCH', `kill switch is on: ${state.killSwitch.reason}`);
  }
  const exposure = exposureOf(state);
  if (dailyLossBreached(state, risk)) {
    return reject(
      'DAILY_LOSS',
      `daily loss ${-exposure.breakerPnl} has reached the limit ${risk.maxDailyLoss}`,
    );
  }
  const openCount = Object.keys(state.openPositions).length;
  if (openCount >= risk.maxOpenPositions) {
    return reject(
      'MAX_OPEN_POSITIONS',
      `${openCount} positions open, the limit is ${risk.maxOpenPositions}`,
    );
  }
  if (state.tradesToday >= risk.maxTradesPerDay) {
    return reject(
      'MAX_TRADES',
      `${state.tradesToday} trades today, the limit is ${risk.maxTradesPerDay}`,
    );
  }
  const limitPaise = Math.floor((toPaise(risk.capital) * risk.maxCapitalInUsePct) / 100);
  const leftPaise = limitPaise - toPaise(exposure.capitalInUse);
  if (leftPaise <= 0) {
    return reject(
      'CAPITAL_LIMIT',
      `${exposure.capitalInUse} already in use reaches ${risk.maxCapitalInUsePct}% of ${risk.capital}`,
    );
  }
  if (state.entryGate) {
    return reject(
      'RECONCILIATION',
      `entries are held by reconciliation: ${state.entryGate.reason}`,
    );
  }
  return grant(state, request.positionId, fromPaise(Math.min(toPaise(request.capital), leftPaise)));
}

function grant(state: AccountState, positionId: string, granted: number): ReservationDecision {
  const position: OpenPosition = { capital: granted, unrealisedPnl: 0 };
  return {
    ok: true,
    granted,
    state: {
      ...state,
      openPositions: { ...state.openPositions, [positionId]: position },
      tradesToday: state.tradesToday + 1,
      openTotals: addPosition(totalsOf(state), position, 1),
    },
  };
}

/** Frees a slot and banks its P&L; releasing an unknown or already released id changes nothing. */
export function applyRelease(
  state: AccountState,
  release: { positionId: string; realisedPnl: number },
): AccountState {
  const released = state.openPositions[release.positionId];
  if (!released) return state;
  const { [release.positionId]: _released, ...rest } = state.openPositions;
  return {
    ...state,
    openPositions: rest,
    realisedPnl: fromPaise(toPaise(state.realisedPnl) + toPaise(release.realisedPnl)),
    openTotals: addPosition(totalsOf(state), released, -1),
  };
}

export interface Mark {
  positionId: string;
  unrealisedPnl: number;
}

/**
 * Records positions' latest marks-to-market in one copy of the book, so a
 * batch of every open position's mark costs O(positions), not O(positions²):
 * a book replaying 200 batches of 700 marks took over the 5 s a workflow
 * activation may run. Unknown ids (the mark raced the release) and
 * non-finite marks are ignored; with nothing to record the state is returned.
 */
export function applyMarks(state: AccountState, marks: readonly Mark[]): AccountState {
  let openPositions: AccountState['openPositions'] | undefined;
  const totals = totalsOf(state);
  let { pnlPaise, lossesPaise } = totals;
  for (const { positionId, unrealisedPnl } of marks) {
    const position = (openPositions ?? state.openPositions)[positionId];
    if (!position || !Number.isFinite(unrealisedPnl)) continue;
    openPositions ??= { ...state.openPositions };
    openPositions[positionId] = { ...position, unrealisedPnl };
    pnlPaise += toPaise(unrealisedPnl) - toPaise(position.unrealisedPnl);
    lossesPaise +=
      toPaise(Math.min(unrealisedPnl, 0)) - toPaise(Math.min(position.unrealisedPnl, 0));
  }
  return openPositions
    ? { ...state, openPositions, openTotals: { ...totals, pnlPaise, lossesPaise } }
    : state;
}

/** One position's mark: see applyMarks. */
export const applyMark = (
  state: AccountState,
  positionId: string,
  unrealisedPnl: number,
): AccountState => applyMarks(state, [{ positionId, unrealisedPnl }]);

/** Latches the kill switch for the rest of the day; the first reason stands. */
export function tripKillSwitch(state: AccountState, reason: string, at: number): AccountState {
  return state.killSwitch ? state : { ...state, killSwitch: { reason, at } };
}
