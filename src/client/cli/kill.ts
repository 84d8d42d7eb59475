import type { Command } from 'commander';
import type { accountWorkflow } from '../../workflows/account';
import { accountWorkflowId, killSwitchSignal } from '../../workflows/messages';
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
        // Signal-with-start: the switch latches even before the day's first position
        // has started the book, so nothing can open afterwards.
        await client.workflow.signalWithStart<typeof accountWorkflow, [string]>('accountWorkflow', {
          workflowId,
          taskQueue: config.temporal.taskQueue,
          args: [{ day, risk: config.risk }],
          signal: killSwitchSignal,
          signalArgs: [opts.reason],
        });
        const result = { workflowId, day, reason: opts.reason, uiUrl: uiUrl(workflowId) };
        out.emit(result, () =>
          keyValues([
            ['kill switch sent', workflowId],
            ['reason', opts.reason],
            ['web ui', result.uiUrl],
          ]),
        );
      });
    });
}
