import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import { eventually } from '../harness/eventually';
import { forceExitSignal } from '../../src/workflows/messages';
import { openPosition, waitForPhase, type PositionHandle } from '../harness/positions';
import { activityRuns } from './helpers/activity-history';
import { expectExchangeTruth } from './helpers/exchange-truth';

const STALE_AFTER_S = 2;

const watched = (stack: PaperStack, token: number) =>
  eventually(
    async () => stack.worker!.hub.subscribedTokens,
    (tokens) => tokens.includes(token),
  );

const triggerResults = async (handle: PositionHandle) =>
  (await activityRuns(handle))
    .filter((r) => r.type === 'awaitPriceTrigger' && r.result)
    .map((r) => r.result as { source?: string; price: number });

/**
 * Stops must not depend on one feed: a connected but silent ticker is
 * covered by REST prices, and a print that cannot be real never fires a stop.
 */
describe('stops that do not depend on one feed', () => {
  let stack: PaperStack;
  beforeAll(async () => {
    stack = await startPaperStack({
      // Slow ticks, so a test decides exactly which prints the worker sees.
      tickIntervalMs: 1_000,
      overrides: (c) => ({
        ...c,
        feed: { staleAfterSeconds: STALE_AFTER_S, pollIntervalMs: 250, maxTickJumpPct: 50 },
      }),
    });
  });
  afterAll(() => stack.stop());
  afterEach(async () => {
    await stack.control.pauseTicks(false);
    await stack.control.unpinAll();
    await stack.resetAccount();
  });

  it('a silent feed: the stale token is priced over REST and the stop fires', async () => {
    const { handle, state } = await openPosition(stack);
    const token = state.contract!.token;
    await watched(stack, token);
    const pollsBefore = stack.worker!.feedWatchdog.polls.made;
    await stack.control.pauseTicks(true);
    await stack.control.pinPrice(token, state.exits!.stopLoss);
    // The token is flagged stale only until the REST price fires the stop and unwatches it,
    // too short a window to poll for: the REST polls it caused are the lasting evidence.
    const summary = await handle.result();
    expect(stack.worker!.feedWatchdog.polls.made).toBeGreaterThan(pollsBefore);
    expect(summary.exitReason).toBe('STOP_LOSS');
    expect((await triggerResults(handle)).at(-1)).toMatchObject({ source: 'rest' });
    await expectExchangeTruth(stack, handle);
  });

  it('a zero print never fires the stop, from the ticker or from REST', async () => {
    const { handle, state } = await openPosition(stack);
    const token = state.contract!.token;
    await watched(stack, token);
    const before = stack.worker!.hub.rejected.invalid;
    await stack.control.pinPrice(token, 0);
    // Past the staleness limit, so the REST fallback has priced it too.
    await new Promise((r) => setTimeout(r, (STALE_AFTER_S + 1.5) * 1000));
    expect(stack.worker!.hub.rejected.invalid).toBeGreaterThan(before);
    expect((await waitForPhase(handle, 'OPEN')).exitReason).toBeUndefined();
    await stack.control.unpin(token);
    await handle.signal(forceExitSignal, 'done');
    expect((await handle.result()).exitReason).toBe('FORCE_EXIT');
    await expectExchangeTruth(stack, handle);
  });

  it('an isolated print far from the market is ignored; a level that persists is followed', async () => {
    const { handle, state } = await openPosition(stack);
    const token = state.contract!.token;
    await watched(stack, token);
    const entry = state.entryPrice!;
    const absurd = Math.max(0.05, Math.round(entry * 0.2 * 20) / 20);
    const before = stack.worker!.hub.rejected.jump;
    // One print at a fifth of the price, then the market again.
    await stack.control.scriptPrices(token, [absurd, entry], 150);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(stack.worker!.hub.rejected.jump).toBeGreaterThan(before);
    expect((await waitForPhase(handle, 'OPEN')).exitReason).toBeUndefined();

    // The same level held print after print is the market: the stop fires on it.
    await stack.control.pinPrice(token, absurd);
    const summary = await handle.result();
    expect(summary.exitReason).toBe('STOP_LOSS');
    await expectExchangeTruth(stack, handle);
  });
});
