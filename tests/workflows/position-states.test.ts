import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import { PositionStates } from '../../src/activities/position-states';
import { holdingOf } from '../../src/activities/positions';
import { forceExitSignal, pauseSignal } from '../../src/workflows/messages';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import { openPosition, waitForState, type PositionHandle } from '../harness/positions';

/** The run's history length once two describes a while apart agree: nothing more is on its way. */
async function settledLength(handle: PositionHandle): Promise<number> {
  let last = -1;
  for (;;) {
    const { historyLength } = await handle.describe();
    if (historyLength === last) return last;
    last = historyLength;
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('PositionStates: a running position is queried only when its history has grown', () => {
  let stack: PaperStack;
  beforeAll(async () => {
    stack = await startPaperStack();
  });
  afterAll(() => stack.stop());

  it('answers a parked position from a describe, asks again after a signal, forgets it once ended', async () => {
    const { handle, state } = await openPosition(stack);
    // A price between the stop and the target: no trailing step writes to the history meanwhile.
    await stack.control.pinPrice(state.contract!.token, state.entryPrice!);
    let queries = 0;
    const counting: WorkflowClientInterceptor = {
      query: (input, next) => {
        queries++;
        return next(input);
      },
    };
    const client = new Client({
      connection: stack.client.connection,
      namespace: stack.config.temporal.namespace,
      interceptors: { workflow: [counting] },
    });
    const states = new PositionStates(client);
    const filter = { taskQueue: stack.config.temporal.taskQueue };
    await settledLength(handle);

    const first = await states.running(filter);
    expect(first.map((r) => r.workflowId)).toEqual([handle.workflowId]);
    expect(first[0].state).toMatchObject({ phase: 'OPEN', paused: false });
    expect(queries).toBe(1);

    let reads = 0;
    const unchanged = await states.running(filter, { onRead: () => reads++ });
    expect(unchanged[0].state).toEqual(first[0].state);
    expect(queries).toBe(1);
    expect(reads).toBe(1);

    const before = await settledLength(handle);
    await handle.signal(pauseSignal);
    await waitForState(handle, (s) => s.paused);
    expect(await settledLength(handle)).toBeGreaterThan(before);
    const paused = await states.running(filter);
    expect(queries).toBe(2);
    expect(paused[0].state).toMatchObject({ phase: 'OPEN', paused: true });

    await handle.signal(forceExitSignal, 'test done');
    await handle.result();
    // Listed a moment longer than it runs, it is read for its last state: it holds nothing.
    const ended = await states.running(filter);
    for (const { workflowId, state: last } of ended) {
      expect(last.phase).toBe('CLOSED');
      expect(holdingOf(workflowId, last)?.held).toBe(0);
    }
    expect(states.size).toBe(0);
  });

  it('lists every running position of the deployment however many pages the listing takes', async () => {
    const opened = await Promise.all([1, 2, 3].map(() => openPosition(stack)));
    const ids = opened.map(({ handle }) => handle.workflowId).sort();
    const states = new PositionStates(stack.client, 2);
    const running = await states.running({ taskQueue: stack.config.temporal.taskQueue });
    expect(
      running
        .filter(({ state }) => state.phase === 'OPEN')
        .map(({ workflowId }) => workflowId)
        .sort(),
    ).toEqual(ids);
    expect(states.size).toBe(3);
    await Promise.all(
      opened.map(async ({ handle }) => {
        await handle.signal(forceExitSignal, 'test done');
        await handle.result();
      }),
    );
  });
});
