import { Client, Connection } from '@temporalio/client';
import { createAccountActivities } from '../../src/activities/account';
import { createFleetActivities } from '../../src/activities/positions';
import { loadConfig } from '../../src/config';
import { FailureType } from '../../src/activities/failure-types';
import {
  accountSummaryQuery,
  accountTaskQueue,
  accountWorkflowId,
  killSwitchSignal,
  type AccountSummary,
} from '../../src/workflows/messages';
import { workerNamespace } from '../harness/namespaces';
import { quietNotifyActivities } from '../harness/quiet-notifier';
import { startTestWorker, uniqueTaskQueue, type RunningWorker } from '../harness/temporal';

/** Small enough that a burst of fifty positions rolls the book over several times. */
const HISTORY_LIMIT = 40;
const risk = {
  ...loadConfig({ env: {} }).risk,
  maxOpenPositions: 1_000,
  maxTradesPerDay: 1_000,
  capital: 10_000_000,
  maxDailyLoss: 1_000_000,
};

async function runsOf(client: Client, workflowId: string) {
  const runs = [];
  for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
    runs.push(run);
  return runs;
}

/**
 * The day's risk book cannot restart empty: its latches, trade count and
 * realised P&L survive every continue-as-new, retried requests count once,
 * and once it has completed nothing starts it again.
 */
describe('accountWorkflow: the day book survives continue-as-new, retries and completion', () => {
  let connection: Connection;
  let client: Client;
  let worker: RunningWorker;
  let account: ReturnType<typeof createAccountActivities>;

  beforeAll(async () => {
    connection = await Connection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS! });
    client = new Client({ connection, namespace: workerNamespace() });
    // The activities address the positions' queue; the book runs on the queue beside it.
    const positionsQueue = uniqueTaskQueue('book');
    worker = await startTestWorker({
      namespace: workerNamespace(),
      taskQueue: accountTaskQueue(positionsQueue),
      activities: { ...createFleetActivities({ client }), ...quietNotifyActivities() },
    });
    account = createAccountActivities({
      client,
      taskQueue: positionsQueue,
      risk,
      historyLimit: HISTORY_LIMIT,
    });
  });
  afterAll(async () => {
    await worker.stop();
    await connection.close();
  });

  it('counts a burst of reserves and releases exactly, each sent twice, across several runs', async () => {
    const day = '2099-03-02';
    const ids = Array.from({ length: 50 }, (_, i) => `burst-${Date.now().toString(36)}-${i}`);
    const pnl = (i: number) => ((i % 7) - 3) * 101.37;
    // Each request twice, the second while the first may still be in flight: a retried activity.
    const twice = <T>(call: () => Promise<T>) => Promise.all([call(), call()]);
    // In waves: the server admits 100 updates at once, and a book only rolls over between
    // handlers, so one wave would never cross a continue-as-new. Each wave lands on a book
    // that is rolling over after the last one.
    const inWaves = async <T>(call: (positionId: string, i: number) => Promise<T>) => {
      const out: T[] = [];
      for (let start = 0; start < ids.length; start += 10)
        out.push(
          ...(await Promise.all(ids.slice(start, start + 10).map((id, j) => call(id, start + j)))),
        );
      return out;
    };
    const granted = await inWaves((positionId) =>
      twice(() => account.reserveRisk({ day, positionId, capital: 1_000 })),
    );
    for (const [a, b] of granted) {
      expect(a).toEqual({ ok: true, grantedCapital: 1_000 });
      expect(b).toEqual(a);
    }
    await client.workflow.getHandle(accountWorkflowId(day)).signal(killSwitchSignal, 'mid-burst');
    await inWaves(async (positionId, i) => {
      await twice(() => account.releaseRisk({ day, positionId, realisedPnl: pnl(i) }));
      // A retry that lands after the release (and possibly after a roll-over) changes nothing.
      await account.releaseRisk({ day, positionId, realisedPnl: pnl(i) });
    });
    const handle = client.workflow.getHandle(accountWorkflowId(day));
    const book: AccountSummary = await handle.query(accountSummaryQuery);
    const expectedPnl = Math.round(ids.reduce((s, _, i) => s + pnl(i) * 100, 0)) / 100;
    expect(book.openPositions).toEqual([]);
    expect(book.realisedPnl).toBeCloseTo(expectedPnl, 2);
    expect(book.killSwitch?.reason).toBe('mid-burst');
    expect(book.tradesToday).toBe(ids.length);
    expect((await runsOf(client, accountWorkflowId(day))).length).toBeGreaterThanOrEqual(3);

    // The latch outlived every roll-over: nothing new opens today.
    const late = await account.reserveRisk({ day, positionId: 'after-kill', capital: 1 });
    expect(late).toEqual({ ok: false, reason: 'kill switch is on: mid-burst' });
    await handle.terminate('test done');
  }, 120_000);

  it('never starts a completed book again: a late request is refused, the totals stand', async () => {
    // A day long past: the book completes once nothing is open.
    const day = '2001-04-03';
    const positionId = `late-${Date.now().toString(36)}`;
    expect(await account.reserveRisk({ day, positionId, capital: 500 })).toMatchObject({
      ok: true,
    });
    await account.releaseRisk({ day, positionId, realisedPnl: -42.5 });
    const handle = client.workflow.getHandle(accountWorkflowId(day));
    const final = (await handle.result()) as AccountSummary;
    expect(final).toMatchObject({ tradesToday: 1, realisedPnl: -42.5, openPositions: [] });

    const refusal = await account
      .reserveRisk({ day, positionId: `${positionId}-again`, capital: 500 })
      .catch((err: unknown) => err);
    expect(refusal).toMatchObject({
      type: FailureType.AccountClosed,
      message: `the account book for ${day} has closed`,
    });
    const gate = await account
      .setEntryGate({ day, blocked: true, reason: 'test' })
      .catch((err: unknown) => err);
    expect(gate).toMatchObject({ type: FailureType.AccountClosed });
    expect(await runsOf(client, accountWorkflowId(day))).toHaveLength(1);
  });
});
