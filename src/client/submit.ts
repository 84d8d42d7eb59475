import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { Config } from '../config/schema';
import { parseSignal, SignalValidationError, type Signal } from '../domain/signal';
import { PhaseKey, StrategyKey, UnderlyingKey } from '../workflows/search-attributes';
import { positionWorkflowId, type PositionRules } from '../workflows/messages';
import type { positionWorkflow } from '../workflows/position';

/** The rules a position runs under, snapshotted into its history at start. */
export const positionRulesFrom = (config: Config): PositionRules => ({
  signals: config.signals,
  session: config.session,
  entry: config.entry,
  exits: config.exits,
  ...(config.charges && { charges: config.charges }),
  risk: {
    capital: config.risk.capital,
    maxOpenPositions: config.risk.maxOpenPositions,
    maxCapitalInUsePct: config.risk.maxCapitalInUsePct,
  },
  strikesAroundSpot: config.exchange.strikesAroundSpot,
  historyLimit: config.temporal.positionHistoryLimit,
  tagSalt: tagSaltOf(config),
  ...(config.broker.mode === 'signals-only' && { simulated: true }),
});

/**
 * What makes this deployment's order tags its own on a shared Kite account:
 * the configured salt, else the namespace and task queue, which already
 * differ between deployments that share a Temporal server.
 */
export const tagSaltOf = (config: Config): string =>
  config.broker.tagSalt ?? `${config.temporal.namespace}/${config.temporal.taskQueue}`;

export interface Submitted {
  handle: WorkflowHandle<typeof positionWorkflow>;
  workflowId: string;
  /** False when a workflow for this signal id already existed: the re-send was a no-op. */
  started: boolean;
}

/**
 * Validates untrusted input with the shared schema, then starts
 * `pos-<signalId>`. Invalid input throws before anything reaches Temporal or
 * the broker; a duplicate id returns the existing workflow.
 */
export async function submitSignal(
  client: Client,
  config: Config,
  input: unknown,
): Promise<Submitted> {
  const parsed = parseSignal(input);
  if (!parsed.ok) throw new SignalValidationError(parsed.errors);
  const signal: Signal = parsed.signal;
  const workflowId = positionWorkflowId(signal.id);
  try {
    const handle = await client.workflow.start<typeof positionWorkflow>('positionWorkflow', {
      workflowId,
      taskQueue: config.temporal.taskQueue,
      args: [{ signal, rules: positionRulesFrom(config) }],
      // A closed position keeps its id: the same signal never trades twice.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: UnderlyingKey, value: signal.underlying },
        { key: StrategyKey, value: signal.strategy },
        { key: PhaseKey, value: 'VALIDATING' },
      ],
    });
    return { handle, workflowId, started: true };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return { handle: client.workflow.getHandle(workflowId), workflowId, started: false };
  }
}
