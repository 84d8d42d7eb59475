import type { Client } from '@temporalio/client';
import { createStrategyActivities } from '../../src/activities/strategy';
import { submitSignal } from '../../src/client/submit';
import { istDateOf } from '../../src/domain/calendar';
import { ensureReconciler } from '../../src/client/reconciler';
import { accountWorkflowId, forceExitSignal, killSwitchSignal } from '../../src/workflows/messages';
import { reconcileNowUpdate } from '../../src/workflows/reconciler-messages';
import { buyAtBroker } from '../harness/broker-book';
import {
  pauseRunnerSignal,
  resumeRunnerSignal,
  stopRunnerSignal,
} from '../../src/workflows/runner-messages';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import { newSignal, openPosition, waitForPhase, type PositionHandle } from '../harness/positions';
import {
  rsiOnlyConfig,
  scriptedCandles,
  startScriptedRunner,
  waitForRunner,
} from '../harness/runner';
import { startTestWorker, testClient } from '../harness/temporal';
import { catalogNames, historyName, type WorkflowType } from './catalog';
import { fetchRuns, writeHistories, type HistoryFile } from './history-file';
import { positionPaths, startMaxHold } from './position-paths';

/*
 * Re-records tests/histories (`npm run histories:record`): drives every
 * path of the catalog on the real stack, then replaces the files, only if
 * every path was recorded.
 */
const recorded = new Map<string, HistoryFile>();

async function record(
  client: Client,
  type: WorkflowType,
  path: string,
  workflowId: string,
): Promise<void> {
  const runs = await fetchRuns(client, workflowId);
  runs.forEach((run, i) =>
    recorded.set(historyName(type, runs.length === 1 ? path : `${path}-run${i + 1}`), run),
  );
}

/** The day's book as it stands, ended, so its history is closed and complete. */
async function recordAccount(stack: PaperStack, path: string): Promise<void> {
  await stack.resetAccount();
  await record(stack.client, 'accountWorkflow', path, accountWorkflowId(istDateOf(Date.now())));
}

describe('recording workflow histories', () => {
  describe('positions and the account book on the paper stack', () => {
    let stack: PaperStack;
    let maxHoldEnded: () => Promise<PositionHandle>;
    beforeAll(async () => {
      stack = await startPaperStack({
        overrides: (c) => ({
          ...c,
          // Room for every path in one day's book: the losing paths must not trip the breaker.
          risk: { ...c.risk, maxTradesPerDay: 100, maxDailyLoss: 10_000_000 },
          // A chain of five strikes a side instead of twenty keeps each history file small.
          exchange: { ...c.exchange, strikesAroundSpot: 5 },
          // The reconciler runs when asked; the other paths must not meet it mid-trade.
          reconcile: { ...c.reconcile, orphanPolicy: 'adopt', intervalSeconds: 3_600 },
        }),
      });
      maxHoldEnded = await startMaxHold(stack);
    });
    afterAll(() => stack.stop());

    it.each(Object.keys(positionPaths))('positionWorkflow %s', async (path) => {
      const { workflowId } = await positionPaths[path](stack);
      await record(stack.client, 'positionWorkflow', path, workflowId);
    });

    it('positionWorkflow max-hold', async () => {
      const { workflowId } = await maxHoldEnded();
      await record(stack.client, 'positionWorkflow', 'max-hold', workflowId);
    }, 90_000);

    it('accountWorkflow risk-book: every reservation, mark and release above', async () => {
      await recordAccount(stack, 'risk-book');
    });

    it('reconciler: an orphan placed at the exchange is adopted and exited', async () => {
      const reconciler = await ensureReconciler(stack.client, stack.config);
      const handle = stack.client.workflow.getHandle(reconciler);
      await handle.executeUpdate(reconcileNowUpdate);
      const nfo = (await stack.kite.getInstruments('NFO')) as unknown as Array<{
        name: string;
        tradingsymbol: string;
        instrument_type: string;
      }>;
      const symbol = nfo.find(
        (i) => i.name === 'NIFTY' && i.instrument_type === 'CE',
      )!.tradingsymbol;
      await buyAtBroker(stack, symbol, 65);
      const status = await handle.executeUpdate(reconcileNowUpdate);
      const adoptedId = status.recentActions.at(-1)!.action.split(' as ')[1];
      const adopted = stack.client.workflow.getHandle(adoptedId) as PositionHandle;
      await waitForPhase(adopted, 'OPEN');
      await adopted.signal(forceExitSignal, 'recorded');
      expect(await adopted.result()).toMatchObject({ exitReason: 'FORCE_EXIT' });
      await handle.executeUpdate(reconcileNowUpdate);
      await handle.terminate('recorded');
      await record(stack.client, 'reconcilerWorkflow', 'orphan-adopted', reconciler);
      await record(stack.client, 'positionWorkflow', 'adopted', adoptedId);
    }, 90_000);

    it('kill switch: the account force-exits every open position and refuses the next', async () => {
      const open = await Promise.all([openPosition(stack), openPosition(stack)]);
      const account = stack.client.workflow.getHandle(accountWorkflowId(istDateOf(Date.now())));
      await account.signal(killSwitchSignal, 'recorded');
      for (const { handle } of open)
        expect(await handle.result()).toMatchObject({ exitReason: 'FORCE_EXIT' });
      const late = await submitSignal(stack.client, stack.config, newSignal());
      expect(await late.handle.result()).toMatchObject({ outcome: 'REJECTED' });
      await record(stack.client, 'positionWorkflow', 'kill-switch', open[0].handle.workflowId);
      await recordAccount(stack, 'kill-switch');
    });
  });

  it('runnerWorkflow continue-as-new: a child position, pause carried over, resume, stop', async () => {
    const { client, close } = await testClient();
    const worker = await startTestWorker({
      activities: createStrategyActivities({ config: rsiOnlyConfig, candles: scriptedCandles }),
    });
    try {
      // One-second candles, four per run: the first run starts a child and is paused, the
      // second resumes and stops with time to spare before it would roll over again.
      const handle = await startScriptedRunner(client, worker.taskQueue, { candlesPerRun: 4 });
      await waitForRunner(handle, (s) => s.positionsStarted === 1);
      await handle.signal(pauseRunnerSignal);
      const secondRun = await waitForRunner(handle, (s) => s.paused && s.runs === 2);
      await handle.signal(resumeRunnerSignal);
      await waitForRunner(handle, (s) => s.candlesEvaluated > secondRun.candlesEvaluated);
      await handle.signal(stopRunnerSignal, 'recorded');
      expect(await handle.result()).toMatchObject({ endedBy: 'stop', positionsStarted: 1 });
      await record(client, 'runnerWorkflow', 'continue-as-new', handle.workflowId);
    } finally {
      await worker.stop();
      await close();
    }
  });

  it('writes exactly the catalog to tests/histories', () => {
    expect([...recorded.keys()].sort()).toEqual(catalogNames().sort());
    writeHistories(recorded);
  });
});
