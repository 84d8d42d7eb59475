import type { DayReport } from '../../src/client/cli/report';
import { istDateOf } from '../../src/domain/calendar';
import { cliEnv, runCliJson } from '../client/run-cli';
import { ordersAtBroker } from '../harness/broker-book';
import { eventually } from '../harness/eventually';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import { openPosition, waitForPhase } from '../harness/positions';
import { tagsOf } from '../harness/tags';

/**
 * broker.mode signals-only, a strategy on probation: the whole workflow runs
 * on live prices, nothing reaches the broker, and the report says what would
 * have happened, apart from real trades.
 */
describe('signals-only mode', () => {
  let stack: PaperStack;
  beforeAll(async () => {
    stack = await startPaperStack({
      overrides: (c) => ({ ...c, broker: { ...c.broker, mode: 'signals-only' } }),
    });
  });
  afterAll(() => stack.stop());

  it('selects, sizes and supervises on live ticks, places nothing, and reports it as simulated', async () => {
    const { handle, state } = await openPosition(stack);
    expect(state.simulated).toBe(true);
    expect(state.entryFills).toEqual([
      expect.objectContaining({ simulated: true, averagePrice: state.quotedEntry }),
    ]);
    await stack.control.pinPrice(state.contract!.token, state.exits!.stopLoss);
    const summary = await handle.result();
    expect(summary).toMatchObject({ exitReason: 'STOP_LOSS', simulated: true, outcome: 'LOSS' });
    expect(summary.exitPrice).toBeCloseTo(state.exits!.stopLoss, 2);
    const closed = await waitForPhase(handle, 'CLOSED');
    expect(closed.exitFills.every((f) => f.simulated)).toBe(true);

    const { prefix } = tagsOf(handle.workflowId, state.tagScheme!);
    expect((await ordersAtBroker(stack)).filter((o) => o.tag?.startsWith(prefix))).toEqual([]);

    const report = await eventually(
      () =>
        runCliJson<DayReport>(['report', '--date', istDateOf(Date.now())], cliEnv(stack.config)),
      (r) => r.simulated?.tradeList.some((t) => t.positionId === state.positionId) ?? false,
    );
    expect(report.tradeList.map((t) => t.positionId)).not.toContain(state.positionId);
    expect(
      report.simulated!.tradeList.find((t) => t.positionId === state.positionId),
    ).toMatchObject({ netPnl: summary.netPnl, simulated: true });
  });
});
