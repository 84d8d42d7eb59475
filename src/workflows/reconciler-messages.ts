import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { HoldingRow } from '../domain/holdings';
import type { EntryGate, StaleOrder } from '../domain/reconcile';

/** One reconciler per deployment (task queue): two deployments must not act on each other's orphans. */
export const reconcilerWorkflowId = (taskQueue: string) => `reconciler-${taskQueue}`;

export interface ReconcilerInput {
  intervalSeconds: number;
  /** Carried across continue-as-new. */
  carried?: ReconcilerCarry;
}

export interface ReconcileReport {
  /** Epoch ms of the run. */
  at: number;
  /** The run could not read the broker or the workflows. */
  error?: string;
  rows: HoldingRow[];
  staleOrders: StaleOrder[];
  /** What the orphan policy did this run, one line per action. */
  actions: string[];
}

export interface ReconcilerCarry {
  runs: number;
  failures: number;
  last?: ReconcileReport;
  /** Orphans an operator acknowledged (contract, product and quantity). */
  acknowledged: string[];
  /** Contracts the adopt policy started a workflow for, until that workflow holds them. */
  adopting: Record<string, { workflowId: string; at: number }>;
  /** Contracts the flatten policy sold, until the broker shows them flat. */
  flattening: Record<string, { attempt: number; at: number }>;
  adoptions: number;
  flattenAttempts: number;
  /** The policy's latest actions across runs, newest last. */
  recentActions: { at: number; action: string }[];
  /** The disagreements last alerted, so an unchanged book is not alerted every minute. */
  alertedProblems?: string;
  alertCounts?: Record<string, number>;
  gate: EntryGate;
  /** The gate as last sent to a day's account book: `<day>|<blocked>|<reason>`. */
  gateSent?: string;
}

export interface ReconcilerStatus extends ReconcilerCarry {
  orphanPolicy?: string;
  gateEntries?: boolean;
}

/** Runs a reconciliation now and answers with its report. */
export const reconcileNowUpdate = defineUpdate<ReconcilerStatus>('reconcileNow');
/** Acknowledges the orphans of the last report, opening the entry gate if nothing else holds it. */
export const acknowledgeOrphansUpdate = defineUpdate<ReconcilerStatus, [by: string]>(
  'acknowledgeOrphans',
);
export const reconcilerStatusQuery = defineQuery<ReconcilerStatus>('status');
