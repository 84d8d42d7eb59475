import type { DayReport } from '../../src/client/cli/report';
import type { PositionRow } from '../../src/client/cli/positions';
import type { AccountSummary, ExitPlan, PositionState } from '../../src/workflows/messages';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import { openPosition, waitForState } from '../harness/positions';
import { eventually } from '../harness/eventually';
import { cliEnv, runCli, runCliJson } from './run-cli';

/**
 * The steering commands on a really OPEN position: real worker, paper
 * exchange and dev server. The option price is pinned at entry so no exit
 * rule fires while the CLI works on the position.
 */
// The first case starts about ten CLI processes one after another, each a few seconds on a loaded machine.
jest.setTimeout(120_000);

describe('trade CLI on an open position (paper exchange)', () => {
  let stack: PaperStack;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    stack = await startPaperStack();
    env = cliEnv(stack.config);
  });
  afterAll(() => stack.stop());
  afterEach(() => stack.resetAccount());

  async function pinnedOpenPosition(strategy: string) {
    const { handle, state } = await openPosition(stack, { strategy });
    await stack.control.pinPrice(state.contract!.token, state.entryPrice!);
    return { handle, state };
  }

  it('lists, shows, pauses, resumes, modifies and force-exits it', async () => {
    const { handle, state } = await pinnedOpenPosition('cli-open');
    const id = handle.workflowId;

    const open = await eventually(
      () => runCliJson<PositionRow[]>(['positions', '--open'], env),
      (rows) => rows.some((r) => r.workflowId === id && r.phase === 'OPEN'),
    );
    expect(open.find((r) => r.workflowId === id)).toMatchObject({
      phase: 'OPEN',
      tradingSymbol: state.contract!.tradingSymbol,
      strategy: 'cli-open',
    });

    const shown = await runCli(['position', 'show', id], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/phase\s+OPEN/);
    expect(shown.stdout).toContain(state.contract!.tradingSymbol);
    expect(shown.stdout).toMatch(new RegExp(`stop-loss\\s+${state.exits!.stopLoss.toFixed(2)}`));

    expect((await runCli(['position', 'pause', id], env)).code).toBe(0);
    await waitForState(handle, (s) => s.paused);
    expect((await runCli(['position', 'show', id], env)).stdout).toMatch(/phase\s+OPEN \(paused\)/);
    expect((await runCli(['position', 'resume', id], env)).code).toBe(0);
    await waitForState(handle, (s) => !s.paused);

    // Below the target, so only the market can refuse it: the workflow asks for a fresh quote.
    const throughMarket = (state.exits!.target - 0.05).toFixed(2);
    const above = await runCli(['position', 'modify', id, '--sl', throughMarket], env);
    expect(above.code).toBe(1);
    expect(above.stderr).toContain(
      `rejected: stopLoss: ${Number(throughMarket)} must be below the current premium`,
    );
    const offTick = await runCli(['position', 'modify', id, '--target', '99999.03'], env);
    expect(offTick.code).toBe(1);
    expect(offTick.stderr).toContain('not a multiple of the 0.05 tick');

    const newStop = Math.round((state.exits!.stopLoss - 0.5) * 100) / 100;
    const modified = await runCliJson<{ exits: ExitPlan }>(
      ['position', 'modify', id, '--sl', String(newStop)],
      env,
    );
    expect(modified.exits.stopLoss).toBeCloseTo(newStop, 2);
    const after = await runCliJson<{ state: PositionState }>(['position', 'show', id], env);
    expect(after.state.stopHistory.at(-1)).toBeCloseTo(newStop, 2);

    const exit = await runCli(['position', 'exit', id, '--reason', 'cli test'], env);
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain(`exit requested  ${id}`);
    const summary = await handle.result();
    expect(summary.exitReason).toBe('FORCE_EXIT');

    const report = await eventually(
      () => runCliJson<DayReport>(['report'], env),
      (r) => r.tradeList.some((t) => `pos-${t.positionId}` === id),
    );
    const trade = report.tradeList.find((t) => `pos-${t.positionId}` === id)!;
    expect(trade).toMatchObject({ strategy: 'cli-open', netPnl: summary.netPnl });
    expect(report.byStrategy.map((s) => s.strategy)).toContain('cli-open');
  });

  it('kill latches the account book and force-exits what is open', async () => {
    const { handle } = await pinnedOpenPosition('cli-kill');
    const killed = await runCliJson<{ workflowId: string }>(['kill', '--reason', 'cli kill'], env);
    expect(killed.workflowId).toMatch(/^account-\d{4}-\d{2}-\d{2}$/);
    const summary = await handle.result();
    expect(summary.exitReason).toBe('FORCE_EXIT');
    const book = await stack.client.workflow
      .getHandle(killed.workflowId)
      .query<AccountSummary>('summary');
    expect(book.killSwitch?.reason).toBe('cli kill');
  });
});
