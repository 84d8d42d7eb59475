import { submitSignal } from '../../../src/client/submit';
import { roundToTick } from '../../../src/domain/money';
import type { Direction, Underlying } from '../../../src/domain/types';
import type { PositionState, PositionSummary } from '../../../src/workflows/messages';
import type { PaperStack } from '../../harness/paper-stack';
import { newSignal, type PositionHandle } from '../../harness/positions';
import { waitForEvery } from './wait-for-every';

export interface Side {
  underlying: Underlying;
  direction: Direction;
}

/** Each side trades its own contracts (other index or CE against PE), so cohorts on different sides never share a price. */
export const SIDES: readonly Side[] = (['NIFTY', 'BANKNIFTY', 'FINNIFTY'] as const).flatMap(
  (underlying) => (['LONG', 'SHORT'] as const).map((direction) => ({ underlying, direction })),
);

export interface TradedPosition {
  handle: PositionHandle;
  summary: PositionSummary;
}

export interface CohortPlan {
  sides: number;
  cohortsPerSide: number;
  cohortSize: number;
  /** Side i starts i * staggerMs late, so a crash catches sides in different phases. */
  staggerMs: number;
  /** Per step of the script; generous, because every crash costs each in-flight activity its heartbeat or close timeout. */
  stepTimeoutMs: number;
  /**
   * Awaited before the last cohort on each side is walked down to its exit,
   * so a test can keep positions open until its faults have done enough.
   */
  beforeLastExit?: () => Promise<void>;
}

/**
 * Cohorts run one after another on each side, and the sides run side by
 * side. The first side to fail stops the others, and its error is thrown
 * only once they have all settled, so nothing is left querying a stack the
 * test is about to tear down.
 */
export async function tradeCohorts(stack: PaperStack, plan: CohortPlan): Promise<TradedPosition[]> {
  const abandon = new AbortController();
  const perSide = await Promise.allSettled(
    SIDES.slice(0, plan.sides).map(async (side, i) => {
      try {
        await new Promise((r) => setTimeout(r, i * plan.staggerMs));
        const traded: TradedPosition[] = [];
        for (let c = 0; c < plan.cohortsPerSide; c++)
          traded.push(
            ...(await tradeCohort(
              stack,
              side,
              plan.cohortSize,
              plan.stepTimeoutMs,
              abandon.signal,
              c === plan.cohortsPerSide - 1 ? plan.beforeLastExit : undefined,
            )),
          );
        return traded;
      } catch (err) {
        abandon.abort(err);
        throw err;
      }
    }),
  );
  if (abandon.signal.aborted) throw abandon.signal.reason;
  return perSide.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
}

export interface OpenPosition {
  handle: PositionHandle;
  state: PositionState;
}

/** Enters `size` positions on one side together and waits until all are OPEN. */
export async function enterCohort(
  stack: PaperStack,
  side: Side,
  size: number,
  timeoutMs: number,
  abandon?: AbortSignal,
): Promise<OpenPosition[]> {
  const handles = await Promise.all(
    Array.from(
      { length: size },
      async () => (await submitSignal(stack.client, stack.config, newSignal({ ...side }))).handle,
    ),
  );
  const opened = await waitForEvery(handles, 'OPEN', (s) => s.phase === 'OPEN', timeoutMs, abandon);
  return opened.map((state, i) => ({ handle: handles[i], state }));
}

/** Positions by the contract they hold: prices are scripted per contract. */
export function byContract(positions: OpenPosition[]): Map<number, OpenPosition[]> {
  const groups = new Map<number, OpenPosition[]>();
  for (const p of positions) {
    const token = p.state.contract!.token;
    groups.set(token, [...(groups.get(token) ?? []), p]);
  }
  return groups;
}

export const resultsOf = (positions: OpenPosition[]): Promise<TradedPosition[]> =>
  Promise.all(positions.map(async ({ handle }) => ({ handle, summary: await handle.result() })));

/**
 * Enters `size` positions on one side together, then scripts the premium of
 * each contract they landed on so every one of them enters, ratchets and exits.
 */
export async function tradeCohort(
  stack: PaperStack,
  side: Side,
  size: number,
  stepTimeoutMs: number,
  abandon?: AbortSignal,
  beforeExit?: () => Promise<void>,
): Promise<TradedPosition[]> {
  const opened = await enterCohort(stack, side, size, stepTimeoutMs, abandon);
  await Promise.all(
    [...byContract(opened)].map(([token, group]) =>
      ratchetThenExit(stack, token, group, stepTimeoutMs, abandon, beforeExit),
    ),
  );
  return resultsOf(opened);
}

/**
 * Up to every position's trailing activation, one step more so each stop
 * ratchets again, then down to the lowest stop so all exit on it. Each move
 * waits until every workflow has acted on the last one, however long a crash
 * delays that, so no move is undone before anyone saw it.
 */
export async function ratchetThenExit(
  stack: PaperStack,
  token: number,
  group: OpenPosition[],
  stepTimeoutMs: number,
  abandon?: AbortSignal,
  beforeExit?: () => Promise<void>,
): Promise<void> {
  const handles = group.map((p) => p.handle);
  const trailing = group.map((p) => p.state.exits!.trailing!);
  await stack.control.pinPrice(token, Math.max(...trailing.map((t) => t.activationPrice)));
  await waitForEvery(
    handles,
    'the trailing stop to activate',
    (s) => s.stopHistory.length >= 2,
    stepTimeoutMs,
    abandon,
  );
  await stack.control.pinPrice(
    token,
    roundToTick(Math.max(...trailing.map((t) => t.activationPrice + t.step)), undefined, 'up'),
  );
  const ratcheted = await waitForEvery(
    handles,
    'the trailing stop to ratchet',
    (s) => s.stopHistory.length >= 3,
    stepTimeoutMs,
    abandon,
  );
  await beforeExit?.();
  await stack.control.pinPrice(token, Math.min(...ratcheted.map((s) => s.exits!.stopLoss)));
  await waitForEvery(handles, 'CLOSED', (s) => s.phase === 'CLOSED', stepTimeoutMs, abandon);
  await stack.control.unpin(token);
}
