import { positionStateQuery, type PositionState } from '../../../src/workflows/messages';
import type { PositionHandle } from '../../harness/positions';

const ENDED = ['CLOSED', 'REJECTED', 'ENTRY_FAILED'];
const POLL_MS = 250;

/**
 * Polls the state query of every handle until each satisfies `until`. A
 * query that fails is asked again next round: while the worker is down
 * nobody can answer it, and that is the point of these tests. A position
 * that ends without satisfying `until` fails the wait at once, and so does
 * `abandon`, which a caller fires when a sibling wait has already failed.
 */
export async function waitForEvery(
  handles: PositionHandle[],
  what: string,
  until: (state: PositionState) => boolean,
  timeoutMs: number,
  abandon?: AbortSignal,
): Promise<PositionState[]> {
  const deadline = Date.now() + timeoutMs;
  const reached = new Map<PositionHandle, PositionState>();
  const last = new Map<PositionHandle, string>();
  for (;;) {
    abandon?.throwIfAborted();
    const pending = handles.filter((h) => !reached.has(h));
    await Promise.all(
      pending.map(async (handle) => {
        const state = await handle.query(positionStateQuery).catch((err: unknown) => {
          const { message, cause } = err as Error;
          last.set(handle, `query failed: ${message}${cause ? ` (${String(cause)})` : ''}`);
          return undefined;
        });
        if (!state) return;
        if (until(state)) reached.set(handle, state);
        else if (ENDED.includes(state.phase))
          throw new Error(
            `${handle.workflowId} ended ${state.phase} (${state.rejection?.join('; ') ?? state.exitReason}) while waiting for ${what}`,
          );
        else last.set(handle, `phase ${state.phase}, stops ${state.stopHistory.join(' ')}`);
      }),
    );
    if (reached.size === handles.length) return handles.map((h) => reached.get(h)!);
    if (Date.now() > deadline) {
      const stuck = handles.filter((h) => !reached.has(h));
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}: ${stuck
          .map((h) => `${h.workflowId} (${last.get(h) ?? 'no answer'})`)
          .join(', ')}`,
      );
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
