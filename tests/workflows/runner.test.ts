import type { Client } from '@temporalio/client';
import { createStrategyActivities } from '../../src/activities/strategy';
import { positionStateQuery } from '../../src/workflows/messages';
import {
  pauseRunnerSignal,
  resumeRunnerSignal,
  stopRunnerSignal,
  type RunnerInput,
} from '../../src/workflows/runner-messages';
import { StrategyKey, UnderlyingKey } from '../../src/workflows/search-attributes';
import {
  rsiOnlyConfig,
  scriptedCandles,
  startScriptedRunner,
  waitForRunner as waitFor,
} from '../harness/runner';
import { startTestWorker, testClient, type RunningWorker } from '../harness/temporal';

describe('runnerWorkflow on a real dev server', () => {
  let client: Client;
  let closeClient: () => Promise<void>;
  let worker: RunningWorker;

  beforeAll(async () => {
    ({ client, close: closeClient } = await testClient());
    worker = await startTestWorker({
      activities: createStrategyActivities({ config: rsiOnlyConfig, candles: scriptedCandles }),
    });
  });
  afterAll(async () => {
    await worker.stop();
    await closeClient();
  });

  const start = (over: Partial<RunnerInput>) => startScriptedRunner(client, worker.taskQueue, over);

  it('turns a closed-candle signal into one child position, then holds the cooldown', async () => {
    const handle = await start({});
    const first = await waitFor(handle, (s) => s.positionsStarted === 1);
    const [positionId] = first.recentPositions;
    expect(positionId).toMatch(/^pos-rsiReversal-NIFTY-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    // The RSI of the closed candles, not of the crashing forming one.
    expect(first.indicators.NIFTY.rsiReversal.rsi).toBeCloseTo(31.5789, 3);
    expect(first.lastEvaluation?.lastPrice.NIFTY).toBe(107.5);

    const child = client.workflow.getHandle(positionId);
    const summary = await child.result();
    expect(summary).toMatchObject({ outcome: 'REJECTED', strategy: 'rsiReversal' });
    expect(summary.reasons).toEqual([
      expect.stringContaining('strength 10 is below the minimum 11'),
    ]);
    const state = await child.query(positionStateQuery);
    expect(state.signal).toMatchObject({ direction: 'LONG', underlying: 'NIFTY' });
    const attrs = (await child.describe()).typedSearchAttributes;
    expect(attrs.get(StrategyKey)).toBe('rsiReversal');
    expect(attrs.get(UnderlyingKey)).toBe('NIFTY');

    const later = await waitFor(handle, (s) =>
      (s.lastEvaluation?.dropped ?? []).some((d) => d.reason.startsWith('cooldown until')),
    );
    expect(later.positionsStarted).toBe(1);
    expect(Object.keys(later.cooldowns)).toEqual(['rsiReversal:NIFTY']);

    await handle.signal(stopRunnerSignal, 'test over');
    expect(await handle.result()).toMatchObject({ endedBy: 'stop', positionsStarted: 1 });
  });

  it('drops signals while paused and trades again after resume', async () => {
    const handle = await start({ cooldownMs: 0 });
    await waitFor(handle, (s) => s.positionsStarted >= 1);
    await handle.signal(pauseRunnerSignal);
    const paused = await waitFor(handle, (s) => s.paused);
    const during = await waitFor(handle, (s) => s.candlesEvaluated >= paused.candlesEvaluated + 3);
    expect(during.positionsStarted).toBe(paused.positionsStarted);
    expect(during.lastEvaluation?.dropped).toEqual([
      { id: expect.stringMatching(/^rsiReversal-NIFTY-/), reason: 'runner paused' },
    ]);
    // Evaluation carries on while paused: indicators stay current.
    expect(during.indicators.NIFTY.rsiReversal.rsi).toBeCloseTo(31.5789, 3);

    await handle.signal(resumeRunnerSignal);
    await waitFor(handle, (s) => s.positionsStarted > paused.positionsStarted);
    await handle.signal(stopRunnerSignal);
    await handle.result();
  });

  it('carries cooldowns and pause across continue-as-new', async () => {
    const handle = await start({ candlesPerRun: 2 });
    const firstRunId = (await handle.describe()).runId;
    const started = await waitFor(handle, (s) => s.positionsStarted === 1);
    const cooldown = started.cooldowns['rsiReversal:NIFTY'];
    await handle.signal(pauseRunnerSignal);
    const paused = await waitFor(handle, (s) => s.paused);
    const next = await waitFor(handle, (s) => s.runs >= paused.runs + 2);
    expect(next.paused).toBe(true);
    expect(next.cooldowns).toEqual({ 'rsiReversal:NIFTY': cooldown });
    expect((await handle.describe()).runId).not.toBe(firstRunId);

    // Resumed in a later run, the carried cooldown still holds back the pair.
    await handle.signal(resumeRunnerSignal);
    const resumed = await waitFor(
      handle,
      (s) => !s.paused && s.runs >= next.runs + 2 && s.lastEvaluation?.dropped.length === 1,
    );
    expect(resumed.positionsStarted).toBe(1);
    expect(resumed.lastEvaluation?.dropped[0].reason).toMatch(/^cooldown until/);
    await handle.signal(stopRunnerSignal);
    expect(await handle.result()).toMatchObject({ endedBy: 'stop', positionsStarted: 1 });
  });
});
