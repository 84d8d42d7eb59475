import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Config } from '../config/schema';
import type { Direction, OptionType } from '../domain/types';
import type { Signal } from '../domain/signal';
import type { ExitModification, ExitPlan, ExitReason as DomainExitReason } from '../domain/exits';

export type { ExitModification, ExitPlan };

/** The slice of configuration a position runs under, frozen into its history at start. */
export type PositionRules = Pick<Config, 'signals' | 'session' | 'entry' | 'exits' | 'charges'> & {
  risk: Pick<Config['risk'], 'capital' | 'maxOpenPositions' | 'maxCapitalInUsePct'>;
  strikesAroundSpot: number;
  /** History events after which a run continues as new (temporal.positionHistoryLimit). */
  historyLimit: number;
};

export type Phase =
  | 'VALIDATING'
  | 'RESERVING'
  | 'SELECTING'
  | 'ENTERING'
  | 'OPEN'
  | 'EXITING'
  | 'CLOSED'
  | 'REJECTED'
  | 'ENTRY_FAILED';

/** Why a position closed: a domain exit rule, or an operator. */
export type ExitReason = DomainExitReason | 'FORCE_EXIT';

export type Outcome = 'WIN' | 'LOSS' | 'FLAT' | 'REJECTED' | 'ENTRY_FAILED';

export interface Fill {
  orderId: string;
  tag: string;
  quantity: number;
  averagePrice: number;
}

export interface Contract {
  token: number;
  tradingSymbol: string;
  optionType: OptionType;
  strike: number;
  expiry: string;
  lotSize: number;
  freezeQty: number;
  underlyingToken: number;
}

export interface PositionState {
  positionId: string;
  phase: Phase;
  signal: Pick<
    Signal,
    'id' | 'underlying' | 'direction' | 'strategy' | 'strength' | 'expectedMovePct'
  >;
  direction: Direction;
  contract?: Contract;
  quantity: number;
  entryFills: Fill[];
  exitFills: Fill[];
  /** Exit rounds so far; each gets fresh order tags, so a retry is a new intent. */
  exitAttempts: number;
  entryPrice?: number;
  openedAt?: number;
  /** The IST day whose account book holds this position's slot. */
  accountDay?: string;
  exits?: ExitPlan;
  /** Every stop level the position has had, oldest first. */
  stopHistory: number[];
  paused: boolean;
  exitBlocked?: string;
  lastPrice?: number;
  exitReason?: ExitReason;
  rejection?: string[];
  summary?: PositionSummary;
}

export interface PositionSummary {
  positionId: string;
  outcome: Outcome;
  tradingSymbol?: string;
  strategy: string;
  underlying: string;
  quantity: number;
  entryPrice?: number;
  exitPrice?: number;
  exitReason?: ExitReason;
  grossPnl: number;
  charges: number;
  netPnl: number;
  reasons?: string[];
  openedAt?: number;
  closedAt: number;
}

export const forceExitSignal = defineSignal<[reason: string]>('forceExit');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const modifyExitsUpdate = defineUpdate<ExitPlan, [ExitModification]>('modifyExits');
export const positionStateQuery = defineQuery<PositionState>('state');

/* Account risk book */

export interface ReserveRequest {
  positionId: string;
  /** Capital the position asks to hold; the book may grant less. */
  capital: number;
}
export type ReserveResult = { ok: true; grantedCapital: number } | { ok: false; reason: string };
export interface ReleaseRequest {
  positionId: string;
  realisedPnl: number;
}
export interface AccountSummary {
  day: string;
  openPositions: string[];
  capitalInUse: number;
  tradesToday: number;
  realisedPnl: number;
  openPnl: number;
  killSwitch?: { reason: string; at: number };
  breakerTripped: boolean;
}

export const reserveUpdate = defineUpdate<ReserveResult, [ReserveRequest]>('reserve');
export const releaseUpdate = defineUpdate<AccountSummary, [ReleaseRequest]>('release');
export const killSwitchSignal = defineSignal<[reason: string]>('killSwitch');
/** A position's mark-to-market, sent as it moves so the daily-loss breaker sees open losses. */
export const markSignal = defineSignal<[{ positionId: string; unrealisedPnl: number }]>('mark');
export const accountSummaryQuery = defineQuery<AccountSummary>('summary');

export const positionWorkflowId = (signalId: string) => `pos-${signalId}`;
export const accountWorkflowId = (day: string) => `account-${day}`;
