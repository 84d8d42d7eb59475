import type { WorkflowHandle } from '@temporalio/client';
import type { Command } from 'commander';
import {
  forceExitSignal,
  modifyExitsUpdate,
  pauseSignal,
  positionStateQuery,
  resumeSignal,
  type ExitModification,
  type PositionState,
} from '../../workflows/messages';
import type { positionWorkflow } from '../../workflows/position';
import { istTime, keyValues, money, price } from './format';
import {
  numberOption,
  positionIdFrom,
  requireRunning,
  signalRunning,
  usageError,
  withContext,
  type CliContext,
} from './context';

type PositionHandle = WorkflowHandle<typeof positionWorkflow>;

const positionHandle = (ctx: CliContext, rawId: string): PositionHandle =>
  ctx.client.workflow.getHandle<typeof positionWorkflow>(positionIdFrom(rawId));

const stateLines = (s: PositionState, uiUrl: string): string =>
  keyValues([
    ['position', s.positionId],
    ['phase', s.paused ? `${s.phase} (paused)` : s.phase],
    [
      'signal',
      `${s.signal.underlying} ${s.signal.direction} ${s.signal.strategy} strength ${s.signal.strength}`,
    ],
    ['contract', s.contract?.tradingSymbol],
    ['quantity', s.quantity || undefined],
    ['entry price', price(s.entryPrice)],
    ['last price', price(s.lastPrice)],
    ['stop-loss', price(s.exits?.stopLoss)],
    ['target', price(s.exits?.target)],
    [
      'stop history',
      s.stopHistory.length > 0 ? s.stopHistory.map((p) => p.toFixed(2)).join(' -> ') : undefined,
    ],
    ['opened (IST)', istTime(s.openedAt)],
    ['exit blocked', s.exitBlocked],
    [
      'needs attention',
      s.attention &&
        `${s.attention.reason} (since ${istTime(s.attention.since)}, ${s.attention.failures} failures; still supervised and retrying)`,
    ],
    ['broker excess', s.brokerExcess && `${s.brokerExcess} units beyond every position on it`],
    ['exit reason', s.exitReason],
    ['exit requested as', s.requestedExit],
    ['rejection', s.rejection?.join('; ')],
    ['outcome', s.summary?.outcome],
    ['net P&L', money(s.summary?.netPnl)],
    ['web ui', uiUrl],
  ]);

export function registerPosition(program: Command): void {
  const position = program
    .command('position')
    .description('inspect or steer one position (id: pos-<signal id> or the signal id)');

  position
    .command('show <id>')
    .description('the position state, from its state() query')
    .action((rawId: string, _opts: unknown, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        const workflowId = positionIdFrom(rawId);
        const state = await ctx.client.workflow.getHandle(workflowId).query(positionStateQuery);
        const uiUrl = ctx.uiUrl(workflowId);
        ctx.out.emit({ workflowId, uiUrl, state }, () => stateLines(state, uiUrl));
      }),
    );

  position
    .command('exit <id>')
    .description('force-exit: sell everything at market now')
    .option('--reason <text>', 'recorded in the history and the journal', 'operator')
    .action((rawId: string, opts: { reason: string }, cmd: Command) =>
      withContext(cmd, (ctx) =>
        signalRunning(ctx, positionHandle(ctx, rawId), 'position', 'exit requested', (h) =>
          h.signal(forceExitSignal, opts.reason),
        ),
      ),
    );

  position
    .command('pause <id>')
    .description('stop automated exits (the square-off timer still runs)')
    .action((rawId: string, _opts: unknown, cmd: Command) =>
      withContext(cmd, (ctx) =>
        signalRunning(ctx, positionHandle(ctx, rawId), 'position', 'paused', (h) =>
          h.signal(pauseSignal),
        ),
      ),
    );

  position
    .command('resume <id>')
    .description('re-arm automated exits')
    .action((rawId: string, _opts: unknown, cmd: Command) =>
      withContext(cmd, (ctx) =>
        signalRunning(ctx, positionHandle(ctx, rawId), 'position', 'resumed', (h) =>
          h.signal(resumeSignal),
        ),
      ),
    );

  position
    .command('modify <id>')
    .description('move the stop-loss and/or target (premium prices); the workflow validates them')
    .option('--sl <price>', 'new stop-loss on the option premium', numberOption('--sl'))
    .option('--target <price>', 'new target on the option premium', numberOption('--target'))
    .action((rawId: string, opts: { sl?: number; target?: number }, cmd: Command) => {
      if (opts.sl === undefined && opts.target === undefined) {
        throw usageError('modify: give --sl and/or --target');
      }
      const modification: ExitModification = { stopLoss: opts.sl, target: opts.target };
      return withContext(cmd, async (ctx) => {
        const handle = positionHandle(ctx, rawId);
        await requireRunning(ctx, handle, 'position');
        const exits = await handle.executeUpdate(modifyExitsUpdate, { args: [modification] });
        const result = {
          workflowId: handle.workflowId,
          exits,
          uiUrl: ctx.uiUrl(handle.workflowId),
        };
        ctx.out.emit(result, () =>
          keyValues([
            ['modified', handle.workflowId],
            ['stop-loss', price(exits.stopLoss)],
            ['target', price(exits.target)],
            ['web ui', result.uiUrl],
          ]),
        );
      });
    });
}
