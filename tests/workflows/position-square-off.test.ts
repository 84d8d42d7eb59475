import type { Config } from '../../src/config';
import { pauseSignal, positionStateQuery } from '../../src/workflows/messages';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import { expectMatchesExchange, openPosition, waitForPhase } from '../harness/positions';

const MINUTE_MS = 60_000;
const IST_OFFSET_MS = 330 * MINUTE_MS;

/** The first whole IST minute at least `leadMs` away, as the HH:MM the config takes. */
function squareOffSoon(leadMs: number): { hhmm: string; at: number } {
  const at = Math.ceil((Date.now() + leadMs) / MINUTE_MS) * MINUTE_MS;
  const ist = new Date(at + IST_OFFSET_MS);
  const pad = (n: number) => String(n).padStart(2, '0');
  return { hhmm: `${pad(ist.getUTCHours())}:${pad(ist.getUTCMinutes())}`, at };
}

describe('square-off', () => {
  let stack: PaperStack;
  beforeAll(async () => {
    stack = await startPaperStack();
  });
  afterAll(() => stack.stop());

  it('flattens open positions at the square-off time, paused ones included', async () => {
    const squareOff = squareOffSoon(20_000);
    const config: Config = {
      ...stack.config,
      session: { ...stack.config.session, squareOffAt: squareOff.hhmm },
    };
    const withSquareOff = { ...stack, config };
    const running = await openPosition(withSquareOff);
    const paused = await openPosition(withSquareOff);
    expect(running.state.exits!.squareOffAt).toBe(squareOff.at);
    // Hold the premium still so only the clock can close them.
    await stack.control.pinPrice(running.state.contract!.token, running.state.entryPrice!);
    await paused.handle.signal(pauseSignal);

    // Both first: they may hold the same contract, whose net is flat only once both have sold.
    const summaries = await Promise.all([running, paused].map(({ handle }) => handle.result()));
    for (const [i, { handle }] of [running, paused].entries()) {
      expect(summaries[i].exitReason).toBe('SQUARE_OFF');
      expect(summaries[i].closedAt).toBeGreaterThanOrEqual(squareOff.at);
      await expectMatchesExchange(stack, await waitForPhase(handle, 'CLOSED'), summaries[i]);
    }
    expect((await paused.handle.query(positionStateQuery)).paused).toBe(true);
  }, 150_000);
});
