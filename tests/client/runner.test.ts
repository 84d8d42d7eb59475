import { Client, Connection } from '@temporalio/client';
import { keepTodaysRunner } from '../../src/client/runner';
import { loadConfig, type Config } from '../../src/config';
import { istEpoch } from '../../src/domain/calendar';
import { runnerWorkflowId, stopRunnerSignal } from '../../src/workflows/runner-messages';
import { eventually } from '../harness/eventually';
import { workerNamespace } from '../harness/namespaces';
import { startTestWorker, type RunningWorker } from '../harness/temporal';

// Days of their own, far from the wall clock: their first candle is years away, so each
// runner sits waiting for it, and no other test's runner-<today> is touched.
const DAY = '2099-01-05';
const NEXT_DAY = '2099-01-06';

/**
 * `npm start`'s runner keeper against the real dev server, with its clock
 * pinned: the worker has no activities because no candle ever closes.
 */
describe('keepTodaysRunner: a runner the operator ended stays ended for its day', () => {
  let worker: RunningWorker;
  let connection: Connection;
  let client: Client;
  let config: Config;

  beforeAll(async () => {
    const namespace = workerNamespace();
    worker = await startTestWorker({ namespace, activities: {} });
    const base = loadConfig({ env: {} });
    config = {
      ...base,
      temporal: {
        ...base.temporal,
        address: process.env.TEMPORAL_TEST_ADDRESS!,
        namespace,
        taskQueue: worker.taskQueue,
      },
    };
    connection = await Connection.connect({ address: config.temporal.address });
    client = new Client({ connection, namespace });
  });
  afterAll(async () => {
    await worker.stop();
    await connection.close();
  });

  /** One `npm start`'s keeper at `clock.now`, recording what it reports. */
  async function keeper(clock: { now: number }) {
    const started: string[] = [];
    const leftAlone: string[] = [];
    const stop = await keepTodaysRunner(client, config, (id) => started.push(id), {
      onStayStopped: (message) => leftAlone.push(message),
      now: () => clock.now,
      checkEveryMs: 50,
    });
    return { started, leftAlone, stop };
  }
  const statusOf = async (day: string) =>
    (await client.workflow.getHandle(runnerWorkflowId(day)).describe()).status.name;

  it('does not restart a stopped or terminated runner, and starts the next day as usual', async () => {
    const clock = { now: istEpoch(DAY, '10:00') };
    const first = await keeper(clock);
    first.stop();
    expect(first).toMatchObject({ started: [runnerWorkflowId(DAY)], leftAlone: [] });
    const handle = client.workflow.getHandle(runnerWorkflowId(DAY));
    await handle.signal(stopRunnerSignal, 'operator');
    expect(await handle.result()).toMatchObject({ endedBy: 'stop' });
    const stoppedRun = (await handle.describe()).runId;

    // The next `npm start` the same day leaves it stopped, and says why.
    const second = await keeper(clock);
    try {
      expect(second.started).toEqual([]);
      expect(second.leftAlone).toEqual([
        `runner-${DAY} was stopped by the operator and stays stopped for ${DAY}; \`npx trade runner start --day ${DAY} --restart\` starts it again`,
      ]);
      expect(await handle.describe()).toMatchObject({
        runId: stoppedRun,
        status: { name: 'COMPLETED' },
      });

      // Midnight IST: the new day's runner starts by itself.
      clock.now = istEpoch(NEXT_DAY, '00:01');
      await eventually(
        async () => second.started.length,
        (n) => n > 0,
        10_000,
      );
      expect(second.started).toEqual([runnerWorkflowId(NEXT_DAY)]);
      expect(await statusOf(NEXT_DAY)).toBe('RUNNING');
    } finally {
      second.stop();
    }

    // Terminated from the Web UI counts as the operator's too.
    await client.workflow.getHandle(runnerWorkflowId(NEXT_DAY)).terminate('operator');
    const third = await keeper(clock);
    third.stop();
    expect(third.started).toEqual([]);
    expect(third.leftAlone).toEqual([expect.stringContaining(`runner-${NEXT_DAY} was terminated`)]);
    expect(await statusOf(NEXT_DAY)).toBe('TERMINATED');
  });
});
