import { performance } from 'node:perf_hooks';
import type { StrikeRule } from '../../src/config/schema';
import { submitSignal, tagSaltOf } from '../../src/client/submit';
import { orderTag } from '../../src/domain/order-tag';
import { newSignal } from '../../tests/harness/positions';
import type { BenchStack } from './stack';

export interface Variant {
  underlying: 'NIFTY' | 'BANKNIFTY' | 'FINNIFTY';
  direction: 'LONG' | 'SHORT';
  strike: StrikeRule;
}

const strikeAt = (offset: number): StrikeRule =>
  offset === 0
    ? { mode: 'ATM' }
    : offset < 0
      ? { mode: 'ITM', steps: -offset }
      : { mode: 'OTM', steps: offset };

/**
 * 126 different contracts (three indices, calls and puts, ten strikes either
 * side of the money), so positions spread over many tokens the way a real
 * book would and one pinned price crosses only its own positions' stops.
 */
export const VARIANTS: readonly Variant[] = (['NIFTY', 'BANKNIFTY', 'FINNIFTY'] as const).flatMap(
  (underlying) =>
    (['LONG', 'SHORT'] as const).flatMap((direction) =>
      Array.from({ length: 21 }, (_, i) => ({ underlying, direction, strike: strikeAt(i - 10) })),
    ),
);

export interface Submitted {
  workflowId: string;
  entryTag: string;
  exitTag: string;
  /** performance.now() just before the client call. */
  submittedAt: number;
}

/** submitSignal, as the CLI and webhook do, under a variant's underlying, side and strike rule. */
export async function submitPosition(stack: BenchStack, variant: Variant): Promise<Submitted> {
  const config = { ...stack.config, entry: { ...stack.config.entry, strike: variant.strike } };
  const scheme = { version: 2 as const, salt: tagSaltOf(config) };
  const submittedAt = performance.now();
  const { workflowId } = await submitSignal(
    stack.client,
    config,
    newSignal({ underlying: variant.underlying, direction: variant.direction, strategy: 'bench' }),
  );
  return {
    workflowId,
    entryTag: orderTag(workflowId, 'ENTRY', 0, 0, scheme),
    exitTag: orderTag(workflowId, 'EXIT', 0, 0, scheme),
    submittedAt,
  };
}

/** A price surely through a long premium position's stop (`stopLossPct` under its entry). */
export const crossingPrice = (entryPrice: number, stopLossPct: number): number =>
  Math.max(0.05, Math.round(entryPrice * (1 - stopLossPct / 100) * 0.8 * 20) / 20);

/** The stop distance the stack's positions run with, in percent of entry. */
export const stopLossPct = (stack: BenchStack): number => stack.config.exits.stopLoss.pct ?? 25;

/** How many of this run's positions are in a phase, from visibility (search attributes). */
export async function countInPhase(stack: BenchStack, phase: string): Promise<number> {
  const query = `TaskQueue = "${stack.config.temporal.taskQueue}" AND Phase = "${phase}" AND ExecutionStatus = "Running"`;
  const { count } = await stack.client.workflow.count(query);
  return count;
}

/** The ids of this run's positions that have ended, on their own or by a benchmark's walk. */
export async function endedPositionIds(stack: BenchStack): Promise<Set<string>> {
  const query = `TaskQueue = "${stack.config.temporal.taskQueue}" AND ExecutionStatus != "Running"`;
  const ids = new Set<string>();
  for await (const wf of stack.client.workflow.list({ query })) ids.add(wf.workflowId);
  return ids;
}

/** Ends every running position of this run without trading; the exchange's book no longer matters. */
export async function terminateAll(stack: BenchStack): Promise<void> {
  const query = `TaskQueue = "${stack.config.temporal.taskQueue}" AND ExecutionStatus = "Running"`;
  const ids: string[] = [];
  for await (const wf of stack.client.workflow.list({ query })) ids.push(wf.workflowId);
  for (let i = 0; i < ids.length; i += 50) {
    await Promise.all(
      ids.slice(i, i + 50).map((id) =>
        stack.client.workflow
          .getHandle(id)
          .terminate('bench done')
          .catch(() => undefined),
      ),
    );
  }
}
