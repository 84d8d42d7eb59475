import { runnerInputFrom } from '../../src/client/runner';
import { istDateOf } from '../../src/domain/calendar';
import type { runnerWorkflow } from '../../src/workflows/runner';
import { runnerStatusQuery, stopRunnerSignal } from '../../src/workflows/runner-messages';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';

const MINUTE = 60_000;

describe('runner on the paper stack, always open', () => {
  let stack: PaperStack;
  let exchangeStarted: number;
  beforeAll(async () => {
    exchangeStarted = Date.now();
    stack = await startPaperStack();
  });
  afterAll(() => stack.stop());

  it('finds a closed candle for the last minute at any hour once a minute has closed', async () => {
    const started = Date.now();
    const input = runnerInputFrom(stack.config, istDateOf(started));
    const handle = await stack.client.workflow.start<typeof runnerWorkflow>('runnerWorkflow', {
      workflowId: `runner-paper-${started}`,
      taskQueue: stack.config.temporal.taskQueue,
      // Strength tops out at 10: a signal, if any, stops at validation and trades nothing.
      args: [
        {
          ...input,
          rules: { ...input.rules, signals: { ...input.rules.signals, minStrength: 11 } },
        },
      ],
    });
    // The first candle the exchange watched from its open to its close; an
    // earlier one (the runner may start just after a boundary) is honestly
    // skipped as incomplete.
    const firstClose = (Math.floor(exchangeStarted / MINUTE) + 2) * MINUTE;
    const deadline = firstClose + input.settleMs + 15_000;
    let status = await handle.query(runnerStatusQuery);
    while ((status.lastEvaluation?.asOf ?? 0) < firstClose && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      status = await handle.query(runnerStatusQuery);
    }
    await handle.signal(stopRunnerSignal, 'test over');
    // A minute the exchange watched whole closed with live candles behind it, whatever the hour.
    expect(status.lastEvaluation).toMatchObject({ asOf: firstClose, problems: [] });
    expect(Object.keys(status.indicators.NIFTY ?? {})).toEqual(
      expect.arrayContaining(['rsiReversal', 'macdCrossover']),
    );
    expect(status.lastEvaluation?.lastPrice.NIFTY).toBeGreaterThan(0);
  }, 150_000);
});
