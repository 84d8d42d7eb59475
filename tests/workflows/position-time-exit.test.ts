import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import { expectMatchesExchange, openPosition, waitForPhase } from '../harness/positions';

describe('time exits', () => {
  let stack: PaperStack;
  beforeAll(async () => {
    stack = await startPaperStack();
  });
  afterAll(() => stack.stop());

  it('closes a position when its max hold time runs out, on a Temporal timer', async () => {
    const { handle, state } = await openPosition(stack, { exits: { maxHoldMinutes: 1 } });
    expect(state.exits!.maxHoldUntil - state.openedAt!).toBe(60_000);
    // Hold the premium still so neither the stop nor the target can fire first.
    await stack.control.pinPrice(state.contract!.token, state.entryPrice!);
    const summary = await handle.result();
    expect(summary.exitReason).toBe('MAX_HOLD');
    expect(summary.closedAt - state.exits!.maxHoldUntil).toBeGreaterThanOrEqual(0);
    await expectMatchesExchange(stack, await waitForPhase(handle, 'CLOSED'), summary);
  }, 120_000);
});
