import type { Client, WorkflowHandle } from '@temporalio/client';
import {
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowFailedError,
} from '@temporalio/client';
import type { Command } from 'commander';
import { ConfigError, loadConfig, type Config } from '../../config';
import { SignalValidationError, signalIdSchema } from '../../domain/signal';
import { positionWorkflowId } from '../../workflows/messages';
import { connectClient } from '../connect';
import { workflowUiUrl } from '../links';
import { createOutput, keyValues, type Output } from './format';

/** Exit codes: 1 when the system said no or could not be reached, 2 for bad input. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** gRPC status code. */
const DEADLINE_EXCEEDED = 4;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = EXIT_FAILURE,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string, details: string[] = []) =>
  new CliError(message, EXIT_USAGE, details);

export interface CliContext {
  config: Config;
  client: Client;
  out: Output;
  uiUrl: (workflowId: string) => string;
}

/** Loads configuration, connects, runs one command and always closes the connection. */
export async function withContext(
  command: Command,
  body: (ctx: CliContext) => Promise<void>,
): Promise<void> {
  const out = createOutput(Boolean(command.optsWithGlobals().json));
  const config = loadConfig();
  const { client, close } = await connectClient(config);
  try {
    await body({ config, client, out, uiUrl: (id) => workflowUiUrl(config, id) });
  } finally {
    await close();
  }
}

/** Refuses to signal a workflow that has finished: the signal would go nowhere. */
export async function requireRunning(ctx: CliContext, handle: WorkflowHandle, noun: string) {
  const description = await handle.describe();
  if (description.status.name !== 'RUNNING') {
    throw new CliError(
      `${noun} ${handle.workflowId} has finished (${description.status.name}); nothing to change\n  ${ctx.uiUrl(handle.workflowId)}`,
    );
  }
}

/** One signal to a running workflow, reported the same way by every command that sends one. */
export async function signalRunning<H extends WorkflowHandle>(
  ctx: CliContext,
  handle: H,
  noun: string,
  action: string,
  send: (handle: H) => Promise<void>,
): Promise<void> {
  await requireRunning(ctx, handle, noun);
  await send(handle);
  const result = { workflowId: handle.workflowId, action, uiUrl: ctx.uiUrl(handle.workflowId) };
  ctx.out.emit(result, () =>
    keyValues([
      [action, handle.workflowId],
      ['web ui', result.uiUrl],
    ]),
  );
}

/**
 * Accepts a workflow id (`pos-abc`) or the signal id it came from (`abc`),
 * because operators copy either from the Web UI or from their alert log.
 */
export function positionIdFrom(raw: string): string {
  const signalId = raw.startsWith('pos-') ? raw.slice(4) : raw;
  if (!signalIdSchema.safeParse(signalId).success) {
    throw usageError(
      `position id: expected pos-<signal id> or a signal id of 1-64 characters A-Z a-z 0-9 _ . : -, got ${JSON.stringify(raw)}`,
    );
  }
  return positionWorkflowId(signalId);
}

/** Parses a CLI number, or throws naming the option. */
export const numberOption =
  (option: string) =>
  (raw: string): number => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) {
      throw usageError(`${option}: expected a number, got ${JSON.stringify(raw)}`);
    }
    return value;
  };

/** Whatever went wrong, as one message, optional detail lines and an exit code. */
export function describeFailure(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof SignalValidationError) {
    return usageError('invalid signal, nothing was started', err.errors);
  }
  if (err instanceof ConfigError) return usageError('invalid configuration', err.problems);
  if (err instanceof WorkflowNotFoundError) {
    return new CliError(err.workflowId ? `${err.workflowId} not found` : err.message);
  }
  if (
    err instanceof ServiceError &&
    (err.cause as { code?: number } | undefined)?.code === DEADLINE_EXCEEDED
  ) {
    // Queries are answered by a worker; the server gives up when none polls the task queue.
    return new CliError(`${err.message}: no worker answered in time; is the worker running?`);
  }
  if (err instanceof WorkflowUpdateFailedError) {
    // The validator's reason is the cause; the wrapper's own message says only "update failed".
    const reason = err.cause instanceof Error ? err.cause.message : err.message;
    return new CliError(`rejected: ${reason}`);
  }
  if (err instanceof WorkflowFailedError) {
    return new CliError(`workflow failed: ${err.cause?.message ?? err.message}`);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new CliError(message);
}
