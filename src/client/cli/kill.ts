import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Command } from 'commander';
import { forceExitAll } from '../../activities/positions';
import type { accountWorkflow } from '../../workflows/account';
import { accountTaskQueue, accountWorkflowId, killSwitchSignal } from '../../workflows/messages';
import { keyValues } from './format';
import { withContext } from './context';
import { checkIstDay, todayIst } from './positions';

export function registerKill(program: Command): void {
  program
    .command('kill')
    .description("latch the day's kill switch: every open position exits, no new ones open")
    .option('--reason <text>', 'recorded on the account book', 'operator kill switch')
    .option(
      '--day <YYYY-MM-DD>',
      'the IST day whose book to latch; a book outlives its day while positions stay open',
    )
    .action((opts: { reason: string; day?: string }, cmd: Command) => {
      const day = opts.day === undefined ? todayIst() : checkIstDay(opts.day, '--day');
      return withContext(cmd, async ({ client, config, out, uiUrl }) => {
        const workflowId = accountWorkflowId(day);
        let bookClosed = false;
        try {
          // Signal-with-start: the switch latches even before the day's first position
          // has started the book, so nothing can open afterwards. A book that has
          // completed is never started again: its day is over.
          await client.workflow.signalWithStart<typeof accountWorkflow, [string]>(
            'accountWorkflow',
            {
              workflowId,
              taskQueue: accountTaskQueue(config.temporal.taskQueue),
              args: [
                { day, risk: config.risk, historyLimit: config.temporal.positionHistoryLimit },
              ],
              workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
              signal: killSwitchSignal,
              signalArgs: [opts.reason],
            },
          );
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
          bookClosed = true;
        }
        // The book flattens every running position itself; a closed book cannot, so the CLI does.
        const signalled = bookClosed
          ? await forceExitAll(client, `kill switch: ${opts.reason}`, (id, err) =>
              process.stderr.write(`could not signal ${id}: ${String(err)}\n`),
            )
          : undefined;
        const result = {
          workflowId,
          day,
          reason: opts.reason,
          bookClosed,
          ...(signalled && { signalled }),
          uiUrl: uiUrl(workflowId),
        };
        out.emit(result, () =>
          keyValues([
            ['kill switch sent', workflowId],
            ['reason', opts.reason],
            ...(bookClosed
              ? ([
                  ['book', `closed; force exit sent to ${signalled!.length} running positions`],
                ] as [string, string][])
              : []),
            ['web ui', result.uiUrl],
          ]),
        );
      });
    });
}
