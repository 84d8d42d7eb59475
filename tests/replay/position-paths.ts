import { submitSignal } from '../../src/client/submit';
import {
  forceExitSignal,
  modifyExitsUpdate,
  pauseSignal,
  resumeSignal,
  type PositionSummary,
} from '../../src/workflows/messages';
import { sellAtBroker } from '../harness/broker-book';
import type { PaperStack } from '../harness/paper-stack';
import {
  newSignal,
  openPosition,
  waitForPhase,
  waitForState,
  type PositionHandle,
} from '../harness/positions';

/** Drives one position down one path and resolves, closed, once it has ended the way the path is named. */
type PathDriver = (stack: PaperStack) => Promise<PositionHandle>;

/** Fewer events than a position takes to open, so the entry run rolls over the moment it is OPEN. */
const ROLLOVER_HISTORY_LIMIT = 30;

async function endsWith(handle: PositionHandle, expected: Partial<PositionSummary>) {
  expect(await handle.result()).toMatchObject(expected);
  return handle;
}

const roundToTick = (price: number) => Math.round(price * 20) / 20;

/** Paths that run one after another; each pins the prices of its own contract. */
export const positionPaths: Record<string, PathDriver> = {
  async target(stack) {
    const { handle, state } = await openPosition(stack);
    await stack.control.pinPrice(state.contract!.token, state.exits!.target);
    return endsWith(handle, { exitReason: 'TARGET' });
  },

  async 'stop-loss'(stack) {
    const { handle, state } = await openPosition(stack);
    await stack.control.pinPrice(state.contract!.token, state.exits!.stopLoss);
    return endsWith(handle, { exitReason: 'STOP_LOSS' });
  },

  async 'trailing-stop'(stack) {
    const { handle, state } = await openPosition(stack);
    const token = state.contract!.token;
    const trailing = state.exits!.trailing!;
    await stack.control.pinPrice(token, trailing.activationPrice);
    await waitForState(handle, (s) => s.stopHistory.length >= 2);
    await stack.control.pinPrice(token, trailing.activationPrice + 2.5 * trailing.step);
    const ratcheted = await waitForState(handle, (s) => s.stopHistory.length >= 3);
    await stack.control.pinPrice(token, ratcheted.exits!.stopLoss);
    return endsWith(handle, { exitReason: 'TRAILING_STOP' });
  },

  async 'force-exit'(stack) {
    const { handle } = await openPosition(stack);
    await handle.signal(forceExitSignal, 'recorded');
    return endsWith(handle, { exitReason: 'FORCE_EXIT' });
  },

  async 'pause-resume'(stack) {
    const { handle, state } = await openPosition(stack);
    await handle.signal(pauseSignal);
    await waitForState(handle, (s) => s.paused);
    await stack.control.pinPrice(state.contract!.token, state.exits!.stopLoss - 1);
    // Long enough for an armed trigger to have fired; waitForPhase throws if the position closed.
    await new Promise((r) => setTimeout(r, 500));
    await waitForPhase(handle, 'OPEN');
    await handle.signal(resumeSignal);
    return endsWith(handle, { exitReason: 'STOP_LOSS' });
  },

  async 'modify-exits'(stack) {
    const { handle, state } = await openPosition(stack);
    const token = state.contract!.token;
    await stack.control.pinPrice(token, state.entryPrice!);
    const stopLoss = roundToTick(state.entryPrice! - 1);
    await handle.executeUpdate(modifyExitsUpdate, { args: [{ stopLoss }] });
    await stack.control.pinPrice(token, stopLoss);
    return endsWith(handle, { exitReason: 'STOP_LOSS', exitPrice: stopLoss });
  },

  async 'continue-as-new'(stack) {
    const config = {
      ...stack.config,
      temporal: { ...stack.config.temporal, positionHistoryLimit: ROLLOVER_HISTORY_LIMIT },
    };
    const { handle } = await submitSignal(stack.client, config, newSignal());
    const state = await waitForPhase(handle, 'OPEN');
    await stack.control.pinPrice(state.contract!.token, state.exits!.target);
    return endsWith(handle, { exitReason: 'TARGET' });
  },

  async 'entry-failed'(stack) {
    await stack.control.injectFaults({ rejectOrders: { count: 1, reason: 'RMS: recorded' } });
    try {
      const { handle } = await submitSignal(stack.client, stack.config, newSignal());
      return await endsWith(handle, { outcome: 'ENTRY_FAILED' });
    } finally {
      await stack.control.clearFaults();
    }
  },

  async 'aborted-while-selecting'(stack) {
    // Each chain read waits 5 s and fails, so the entry's workflow task is heartbeated
    // while the read is retried, and the force exit arrives in a later task.
    await stack.control.injectFaults({
      latencyMs: 5_000,
      failRequests: { count: 100_000, status: 500, route: 'GET /quote' },
    });
    try {
      const { handle } = await submitSignal(stack.client, stack.config, newSignal());
      await waitForPhase(handle, 'SELECTING');
      await handle.signal(forceExitSignal, 'recorded');
      await stack.control.clearFaults();
      return await endsWith(handle, { outcome: 'REJECTED' });
    } finally {
      await stack.control.clearFaults();
    }
  },

  async rejected(stack) {
    const { handle } = await submitSignal(stack.client, stack.config, newSignal({ strength: 1 }));
    return endsWith(handle, { outcome: 'REJECTED' });
  },

  async 'external-close'(stack) {
    const { handle, state } = await openPosition(stack);
    await sellAtBroker(stack, state.contract!.tradingSymbol, state.quantity);
    await handle.signal(forceExitSignal, 'recorded');
    return endsWith(handle, { exitReason: 'EXTERNAL_CLOSE' });
  },

  async cancelled(stack) {
    const { handle } = await openPosition(stack);
    await handle.cancel();
    return endsWith(handle, { exitReason: 'FORCE_EXIT' });
  },

  async 'needs-attention'(stack) {
    await stack.control.injectFaults({
      refuseRequests: [
        { route: 'GET /orders/', count: 2, errorType: 'InputException', message: 'recorded' },
      ],
    });
    try {
      const { handle } = await openPosition(stack);
      await handle.signal(forceExitSignal, 'recorded');
      return await endsWith(handle, { exitReason: 'FORCE_EXIT' });
    } finally {
      await stack.control.clearFaults();
    }
  },

  async 'freeze-resliced'(stack) {
    const config = {
      ...stack.config,
      risk: { ...stack.config.risk, capital: 10_000_000, maxCapitalInUsePct: 90 },
      entry: { ...stack.config.entry, sizing: { mode: 'FIXED_LOTS' as const, lots: 20 } },
    };
    // Below the two lots the shared book's capital leaves room for: the first slice is refused.
    await stack.control.injectFaults({ freezeLimits: { BANKNIFTY: 30 } });
    try {
      const { handle } = await submitSignal(
        stack.client,
        config,
        newSignal({ underlying: 'BANKNIFTY' }),
      );
      const open = await waitForPhase(handle, 'OPEN');
      expect(open.entryAttempts).toBe(1);
      await handle.signal(forceExitSignal, 'recorded');
      return await endsWith(handle, { exitReason: 'FORCE_EXIT' });
    } finally {
      await stack.control.clearFaults();
    }
  },
};

/**
 * The max-hold path waits out a one-minute Temporal timer, so it runs
 * alongside the others: a SHORT signal buys a put, whose price the other
 * paths (all calls) never pin. Returns the wait for its end.
 */
export async function startMaxHold(stack: PaperStack): Promise<() => Promise<PositionHandle>> {
  const { handle, state } = await openPosition(stack, {
    direction: 'SHORT',
    exits: { maxHoldMinutes: 1 },
  });
  // Held still, neither the stop nor the target can fire first.
  await stack.control.pinPrice(state.contract!.token, state.entryPrice!);
  return () => endsWith(handle, { exitReason: 'MAX_HOLD' });
}
