import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Config } from '../config/schema';
import type { Direction, OptionType } from '../domain/types';
import type { Signal } from '../domain/signal';
import type { PremiumDistance, TrailingRule } from '../config/schema';

/** The slice of configuration a position runs under, frozen into its history at start. */
export type PositionRules = Pick<Config, 'signals' | 'session' | 'entry' | 'exits' | 'charges'> & {
  risk: Pick<Config['risk'], 'capital' | 'maxOpenPositions' | 'maxCapitalInUsePct'>;
  strikesAroundSpot: number;
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

export type ExitReason =
  | 'TARGET'
  | 'STOP_LOSS'
  | 'TRAILING_STOP'
  | 'UNDERLYING_STOP'
  | 'UNDERLYING_TARGET'
  | 'MAX_HOLD'
  | 'SQUARE_OFF'
  | 'FORCE_EXIT';

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

export interface ExitLevels {
  stopLoss: number;
  target: number;
  trailing?: { active: boolean; activationPrice: number; distance: number; step: number; highWater: number };
  underlyingStop?: number;
  underlyingTarget?: number;
  maxHoldUntil: number;
  squareOffAt?: number;
}

export interface PositionState {
  positionId: string;
  phase: Phase;
  signal: Pick<Signal, 'id' | 'underlying' | 'direction' | 'strategy' | 'strength' | 'expectedMovePct'>;
  direction: Direction;
  contract?: Contract;
  quantity: number;
  entryFills: Fill[];
  exitFills: Fill[];
  entryPrice?: number;
  exits?: ExitLevels;
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

export interface ExitModification {
  stopLoss?: number;
  target?: number;
  trailing?: TrailingRule | null;
}

export const forceExitSignal = defineSignal<[reason: string]>('forceExit');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const modifyExitsUpdate = defineUpdate<ExitLevels, [ExitModification]>('modifyExits');
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
export const accountSummaryQuery = defineQuery<AccountSummary>('summary');

export const positionWorkflowId = (signalId: string) => `pos-${signalId}`;
export const accountWorkflowId = (day: string) => `account-${day}`;
export type { PremiumDistance };
