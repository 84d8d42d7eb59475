import { defineQuery, defineSignal, defineUpdate, type Sinks } from '@temporalio/workflow';
import type { Config } from '../config/schema';
import type { Direction, OptionType } from '../domain/types';
import type { Signal } from '../domain/signal';
import type { ExitModification, ExitPlan, ExitReason as DomainExitReason } from '../domain/exits';
import type { TagScheme } from '../domain/order-tag';
import type { AlertKind } from '../domain/alerts';
import type { PositionCharges } from '../domain/charges';
import type { Mark } from '../domain/risk';

export type { ExitModification, ExitPlan };

/**
 * The slice of configuration a position runs under, frozen into its history
 * at start. `charges` only when the config overrides the dated rates (every
 * history recorded before the dated rates carries one).
 */
export type PositionRules = Pick<Config, 'signals' | 'session' | 'entry' | 'exits' | 'charges'> & {
  risk: Pick<Config['risk'], 'capital' | 'maxOpenPositions' | 'maxCapitalInUsePct'>;
  strikesAroundSpot: number;
  /** History events after which a run continues as new (temporal.positionHistoryLimit). */
  historyLimit: number;
  /** Mixed into order tags so two deployments on one Kite account never share one (absent in old histories). */
  tagSalt?: string;
  /**
   * broker.mode signals-only: every step runs but no order is sent; fills
   * are simulated at the quote of the moment and the summary says so.
   */
  simulated?: boolean;
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

/**
 * Why a position closed: a domain exit rule, an operator, or the broker
 * already being flat when the exit came (sold in the Kite app, Zerodha's
 * auto square-off): then nothing was sold and the broker's trades are the fills.
 */
export type ExitReason = DomainExitReason | 'FORCE_EXIT' | 'EXTERNAL_CLOSE';

export type Outcome = 'WIN' | 'LOSS' | 'FLAT' | 'REJECTED' | 'ENTRY_FAILED';

export interface Fill {
  orderId: string;
  tag: string;
  quantity: number;
  averagePrice: number;
  /** Epoch ms the fill was known final: its trade date decides the charge rates (absent in old histories). */
  at?: number;
  /**
   * Not our order: the broker's trades that closed the position elsewhere, or
   * a position adopted by reconciliation. `priced` says where the price came
   * from when no such trade could be found (the last price).
   */
  external?: { priced: 'trades' | 'ltp' | 'broker-average' };
  /** signals-only: no order was sent; this is the fill the quote of the moment would have given. */
  simulated?: true;
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
  /** Kite product the position trades in (absent in old histories: MIS). */
  product?: 'MIS' | 'NRML';
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
  /** Fixed at start (absent: scheme 1, from before deployment salts). */
  tagScheme?: TagScheme;
  /** What the entry asked for, so siblings on the contract count it while it fills. */
  entryRequested?: number;
  /** The entry round in flight; above 0 only after a round was refused for the freeze limit. */
  entryAttempts?: number;
  /** The ask the strike was selected at: a simulated entry fills there. */
  quotedEntry?: number;
  /** signals-only: nothing of this position is at the broker. */
  simulated?: true;
  /** Epoch ms of the tick that crossed the exit level, for the tick-to-exit latency metric. */
  triggeredAt?: number;
  /**
   * The exit round in flight: its attempt number and size are recorded before
   * any order is sent, so a retry, a cancellation or a continue-as-new resumes
   * the same tags instead of sending a second round.
   */
  exitRound?: {
    attempt: number;
    quantity: number;
    /** Slices of the round the trigger placed and the broker acknowledged: awaited by id, never placed. */
    placed?: { tag: string; orderId: string }[];
  };
  /**
   * The exit round a price trigger is armed to place itself (its tags are
   * this attempt's). Before any other exit round, these tags are looked up:
   * the trigger may have placed them as the workflow decided to exit.
   */
  armedExit?: { attempt: number; quantity: number };
  /**
   * Set while something after entry keeps failing (a refused read, a bug, a
   * tag conflict): supervision continues, retrying with backoff, and the
   * operator is told. Cleared when the failing step succeeds.
   */
  attention?: { reason: string; since: number; failures: number };
  /** The broker held more of the contract than every position on it: alerted, left alone. */
  brokerExcess?: number;
  /** Why the exit began, when the final reason differs (EXTERNAL_CLOSE). */
  requestedExit?: ExitReason;
  /** Alerts sent so far, by kind: the next one's id number (absent before alerts existed). */
  alertCounts?: Partial<Record<AlertKind, number>>;
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
  /** Per component and trade date, with the rates' source (absent before dated rates, and without fills). */
  chargesBreakdown?: PositionCharges;
  /**
   * The broker's own arithmetic for the same orders (Kite's virtual contract
   * note), when it answered, and by how much it differs from ours: more than
   * a paisa is logged as an error and the report shows the broker's figure.
   */
  brokerCharges?: PositionCharges;
  chargesDifference?: number;
  /** signals-only: what would have happened; nothing was placed. */
  simulated?: true;
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
  /**
   * A position reconciliation adopted: the broker already holds it, so it
   * takes a slot whatever the limits say (it is counted, never refused).
   */
  adopted?: boolean;
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
  /** When and at what loss the breaker latched. */
  breaker?: { at: number; lossPnl: number };
  /** Why reconciliation holds new entries, while it does. */
  entryGate?: { reason: string; at: number };
}

export const reserveUpdate = defineUpdate<ReserveResult, [ReserveRequest]>('reserve');
/**
 * What a release answers. Small on purpose: it is written into the book's
 * history and, as the activity's result, the position's at every exit; the
 * whole summary it used to answer listed every open position.
 */
export interface ReleaseResult {
  /** False when the slot was already free (a retried release). */
  released: boolean;
  openPositions: number;
  realisedPnl: number;
}
export const releaseUpdate = defineUpdate<ReleaseResult, [ReleaseRequest]>('release');
export const killSwitchSignal = defineSignal<[reason: string]>('killSwitch');
/** A position's mark-to-market, sent as it moves so the daily-loss breaker sees open losses. */
export const markSignal = defineSignal<[Mark]>('mark');
/** The marks of workers from before recordMarksUpdate: a book still takes them from a rolling deploy. */
export const marksSignal = defineSignal<[Mark[]]>('marks');
/**
 * The worker's marks of every position it watches, batched every few
 * seconds. An update, not a signal: a signal that lands while the book's
 * task runs fails a continue-as-new in that task (UnhandledCommand), and
 * under a steady stream of marks the book replayed and failed again until
 * its tasks timed out (bench/README.md, session 7); an update in that
 * window is refused, and the client sends it again to the next run.
 */
export const recordMarksUpdate = defineUpdate<void, [Mark[]]>('recordMarks');
/** Reconciliation opens or closes the gate for new entries. */
export const entryGateSignal = defineSignal<[{ blocked: boolean; reason: string }]>('entryGate');
export const accountSummaryQuery = defineQuery<AccountSummary>('summary');

export const positionWorkflowId = (signalId: string) => `pos-${signalId}`;
export const accountWorkflowId = (day: string) => `account-${day}`;
/**
 * The books' own task queue beside the positions' one, so a book's tasks
 * never wait behind the positions' (see createTradingWorker). Books started
 * before it existed finish on the positions' queue, which still serves them.
 */
export const accountTaskQueue = (taskQueue: string) => `${taskQueue}.account`;

/**
 * Worker-side functions a position calls through a sink: `disarm` takes an
 * exit intent back from a trigger the workflow has just cancelled, in this
 * process at once rather than at the trigger's next heartbeat.
 */
export interface TriggerSinks extends Sinks {
  triggers: { disarm(armId: string): void };
}
