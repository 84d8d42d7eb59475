import type { Client, WorkflowHandle } from '@temporalio/client';
import type { CandleSource } from '../../src/activities/strategy';
import { positionRulesFrom } from '../../src/client/submit';
import { loadConfig } from '../../src/config';
import { istDateOf } from '../../src/domain/calendar';
import type { runnerWorkflow } from '../../src/workflows/runner';
import {
  runnerStatusQuery,
  type RunnerInput,
  type RunnerStatus,
} from '../../src/workflows/runner-messages';
import { candlesFrom, RSI_LONG_PATH } from '../unit/strategies/paths';

export type RunnerHandle = WorkflowHandle<typeof runnerWorkflow>;

const base = loadConfig({ env: {} });

/**
 * Real strategy activity, scripted market: every candle close sees the RSI
 * reversal path ending on the candle that just closed, so rsiReversal fires
 * LONG on every candle. The still-forming candle carries a crash to 1; if it
 * were ever evaluated, RSI would read near 0 and no signal would fire.
 */
export const scriptedCandles: CandleSource = {
  async candles({ toMs, intervalMs }) {
    const closed = candlesFrom(RSI_LONG_PATH, intervalMs).map((c, i) => ({
      ...c,
      time: toMs - (RSI_LONG_PATH.length - i) * intervalMs,
    }));
    const forming = { time: toMs, open: 107, high: 107, low: 1, close: 1, volume: 1 };
    return [...closed, forming];
  },
  async lastPrice() {
    return 107.5;
  },
};

/** The strategy activity's configuration: rsiReversal alone, over exactly the scripted path. */
export const rsiOnlyConfig = {
  runner: {
    ...base.runner,
    historyCandles: RSI_LONG_PATH.length,
    strategies: {
      ...base.runner.strategies,
      macdCrossover: { ...base.runner.strategies.macdCrossover, enabled: false },
      bollingerBreakout: { ...base.runner.strategies.bollingerBreakout, enabled: false },
      emaCrossover: { ...base.runner.strategies.emaCrossover, enabled: false },
    },
  },
};

/** One-second candles on an always-open session; `over` picks the behaviour under test. */
export async function startScriptedRunner(
  client: Client,
  taskQueue: string,
  over: Partial<RunnerInput>,
): Promise<RunnerHandle> {
  const rules = positionRulesFrom(base);
  const input: RunnerInput = {
    day: istDateOf(Date.now()),
    underlyings: ['NIFTY'],
    intervalMs: 1_000,
    settleMs: 200,
    cooldownMs: 3_600_000,
    candlesPerRun: 1_000,
    session: { ...base.session, calendar: 'always-open' },
    // Strength tops out at 10, so every position is rejected at VALIDATING: no broker needed.
    rules: { ...rules, signals: { ...rules.signals, minStrength: 11 } },
    ...over,
  };
  return client.workflow.start<typeof runnerWorkflow>('runnerWorkflow', {
    workflowId: `runner-test-${Math.random().toString(36).slice(2, 10)}`,
    taskQueue,
    args: [input],
  });
}

/** Polls the status query until `ok`: the operator's view of the runner. */
export async function waitForRunner(
  handle: RunnerHandle,
  ok: (s: RunnerStatus) => boolean,
  timeoutMs = 20_000,
): Promise<RunnerStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await handle.query(runnerStatusQuery);
    if (ok(status)) return status;
    if (Date.now() > deadline)
      throw new Error(`runner status never matched: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
