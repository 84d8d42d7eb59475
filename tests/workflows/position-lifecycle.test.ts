import { WorkflowUpdateFailedError } from '@temporalio/client';
import {
  forceExitSignal,
  modifyExitsUpdate,
  pauseSignal,
  resumeSignal,
} from '../../src/workflows/messages';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import {
  expectMatchesExchange,
  openPosition,
  waitForPhase,
  waitForState,
} from '../harness/positions';

describe('positionWorkflow from signal to flat (real server, worker and paper exchange)', () => {
  let stack: PaperStack;
  beforeAll(async () => {
    stack = await startPaperStack();
  });
  afterAll(() => stack.stop());
  afterEach(() => stack.resetAccount());

  it('exits at the target with a profit that matches the exchange', async () => {
    const { handle, state } = await openPosition(stack);
    expect(state.entryFills.length).toBeGreaterThan(0);
    await stack.control.pinPrice(state.contract!.token, state.exits!.target);
    const summary = await handle.result();
    expect(summary).toMatchObject({ outcome: 'WIN', exitReason: 'TARGET' });
    expect(summary.netPnl).toBeCloseTo(summary.grossPnl - summary.charges, 2);
    expect(summary.charges).toBeGreaterThan(0);
    await expectMatchesExchange(stack, await waitForPhase(handle, 'CLOSED'), summary);
  });

  it('exits at the stop-loss', async () => {
    const { handle, state } = await openPosition(stack);
    await stack.control.pinPrice(state.contract!.token, state.exits!.stopLoss);
    const summary = await handle.result();
    expect(summary).toMatchObject({ outcome: 'LOSS', exitReason: 'STOP_LOSS' });
    await expectMatchesExchange(stack, await waitForPhase(handle, 'CLOSED'), summary);
  });

  it('activates the trailing stop, ratchets it in whole steps, then exits on it', async () => {
    const { handle, state } = await openPosition(stack);
    const token = state.contract!.token;
    const trailing = state.exits!.trailing!;
    const initialStop = state.exits!.stopLoss;
    await stack.control.pinPrice(token, trailing.activationPrice);
    const activated = await waitForState(handle, (s) => s.stopHistory.length >= 2);
    const firstTrail = activated.exits!.stopLoss;
    expect(firstTrail).toBeCloseTo(trailing.activationPrice - trailing.distance, 2);
    // Two and a half steps higher moves the stop exactly two steps.
    await stack.control.pinPrice(token, trailing.activationPrice + 2.5 * trailing.step);
    const ratcheted = await waitForState(handle, (s) => s.stopHistory.length >= 3);
    expect(ratcheted.exits!.stopLoss).toBeCloseTo(firstTrail + 2 * trailing.step, 2);
    expect(ratcheted.stopHistory).toEqual([initialStop, firstTrail, ratcheted.exits!.stopLoss]);
    await stack.control.pinPrice(token, ratcheted.exits!.stopLoss);
    const summary = await handle.result();
    expect(summary.exitReason).toBe('TRAILING_STOP');
    await expectMatchesExchange(stack, await waitForPhase(handle, 'CLOSED'), summary);
  });

  it('force-exits on the operator signal', async () => {
    const { handle } = await openPosition(stack);
    await handle.signal(forceExitSignal, 'test');
    const summary = await handle.result();
    expect(summary.exitReason).toBe('FORCE_EXIT');
    await expectMatchesExchange(stack, await waitForPhase(handle, 'CLOSED'), summary);
  });

  it('holds through a stop cross while paused, then exits on resume', async () => {
    const { handle, state } = await openPosition(stack);
    await handle.signal(pauseSignal);
    await waitForState(handle, (s) => s.paused);
    await stack.control.pinPrice(state.contract!.token, state.exits!.stopLoss - 1);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await waitForPhase(handle, 'OPEN')).paused).toBe(true);
    await handle.signal(resumeSignal);
    const summary = await handle.result();
    expect(summary.exitReason).toBe('STOP_LOSS');
    await expectMatchesExchange(stack, await waitForPhase(handle, 'CLOSED'), summary);
  });

  it('accepts a valid exit modification and refuses an impossible one', async () => {
    const { handle, state } = await openPosition(stack);
    const token = state.contract!.token;
    const entry = state.entryPrice!;
    await stack.control.pinPrice(token, entry);
    const newStop = Math.round((entry - 1) * 20) / 20;
    const plan = await handle.executeUpdate(modifyExitsUpdate, { args: [{ stopLoss: newStop }] });
    expect(plan.stopLoss).toBeCloseTo(newStop, 2);
    const refused = await handle
      .executeUpdate(modifyExitsUpdate, { args: [{ stopLoss: Math.round((entry + 5) * 20) / 20 }] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String((refused as WorkflowUpdateFailedError).cause?.message)).toMatch(
      /stopLoss:? [\d.]+ must be below the current premium/,
    );
    await stack.control.pinPrice(token, newStop);
    const summary = await handle.result();
    expect(summary.exitReason).toBe('STOP_LOSS');
    expect(summary.exitPrice).toBeCloseTo(newStop, 2);
    await expectMatchesExchange(stack, await waitForPhase(handle, 'CLOSED'), summary);
  });
});
