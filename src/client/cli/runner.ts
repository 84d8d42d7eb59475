import type { Command } from 'commander';
import type { runnerWorkflow } from '../../workflows/runner';
import {
  pauseRunnerSignal,
  resumeRunnerSignal,
  runnerStatusQuery,
  runnerWorkflowId,
  stopRunnerSignal,
  type RunnerStatus,
} from '../../workflows/runner-messages';
import { startRunner } from '../runner';
import { istTime, keyValues } from './format';
import { signalRunning, withContext, type CliContext } from './context';
import { checkIstDay, todayIst } from './positions';

const dayOf = (opts: { day?: string }) =>
  opts.day === undefined ? todayIst() : checkIstDay(opts.day, '--day');

const runnerHandle = (ctx: CliContext, day: string) =>
  ctx.client.workflow.getHandle<typeof runnerWorkflow>(runnerWorkflowId(day));

const statusLines = (s: RunnerStatus, uiUrl: string): string =>
  keyValues([
    ['runner', runnerWorkflowId(s.day)],
    ['state', s.stopped ? 'stopping' : s.paused ? 'paused (signals dropped)' : 'running'],
    ['next candle (IST)', istTime(s.nextCandleAt)],
    ['candles evaluated', s.candlesEvaluated],
    ['positions started', s.positionsStarted],
    ['recent positions', s.recentPositions.length > 0 ? s.recentPositions.join(', ') : undefined],
    ['last evaluation (IST)', istTime(s.lastEvaluation?.asOf)],
    ['last signals', s.lastEvaluation?.signals.join(', ') || undefined],
    [
      'last dropped',
      s.lastEvaluation?.dropped.map((d) => `${d.id} (${d.reason})`).join(', ') || undefined,
    ],
    ['last problems', s.lastEvaluation?.problems.join('; ') || undefined],
    ['runs', s.runs],
    ['web ui', uiUrl],
  ]);

export function registerRunner(program: Command): void {
  const runner = program
    .command('runner')
    .description("the day's strategy runner, runner-<IST day>");
  const dayOption = ['--day <YYYY-MM-DD>', 'IST day of the runner (default: today)'] as const;

  runner
    .command('start')
    .description(
      'start the runner, or report the one already running; one the operator stopped stays stopped for its day',
    )
    .option(...dayOption)
    .option('--restart', 'start it again even though it was stopped, terminated or cancelled')
    .action((opts: { day?: string; restart?: boolean }, cmd: Command) => {
      const day = dayOf(opts);
      return withContext(cmd, async (ctx) => {
        const handle = await startRunner(ctx.client, ctx.config, day, {
          restart: opts.restart === true,
        });
        const result = {
          workflowId: handle.workflowId,
          uiUrl: ctx.uiUrl(handle.workflowId),
        };
        ctx.out.emit(result, () =>
          keyValues([
            ['running', handle.workflowId],
            ['web ui', result.uiUrl],
          ]),
        );
      });
    });

  const signals = [
    ['pause', 'stop starting positions (strategies keep evaluating)', 'paused'],
    ['resume', 'start positions on signals again', 'resumed'],
  ] as const;
  for (const [name, description, action] of signals) {
    runner
      .command(name)
      .description(description)
      .option(...dayOption)
      .action((opts: { day?: string }, cmd: Command) => {
        const day = dayOf(opts);
        const signal = name === 'pause' ? pauseRunnerSignal : resumeRunnerSignal;
        return withContext(cmd, (ctx) =>
          signalRunning(ctx, runnerHandle(ctx, day), 'runner', action, (h) => h.signal(signal)),
        );
      });
  }

  runner
    .command('stop')
    .description('end the runner for the day; open positions carry on')
    .option('--reason <text>', 'recorded in the runner history', 'operator')
    .option(...dayOption)
    .action((opts: { day?: string; reason: string }, cmd: Command) => {
      const day = dayOf(opts);
      return withContext(cmd, (ctx) =>
        signalRunning(ctx, runnerHandle(ctx, day), 'runner', 'stop requested', (h) =>
          h.signal(stopRunnerSignal, opts.reason),
        ),
      );
    });

  runner
    .command('status')
    .description("the runner's status() query")
    .option(...dayOption)
    .action((opts: { day?: string }, cmd: Command) => {
      const day = dayOf(opts);
      return withContext(cmd, async (ctx) => {
        const handle = runnerHandle(ctx, day);
        const status = await handle.query(runnerStatusQuery);
        const uiUrl = ctx.uiUrl(handle.workflowId);
        ctx.out.emit({ workflowId: handle.workflowId, uiUrl, status }, () =>
          statusLines(status, uiUrl),
        );
      });
    });
}
