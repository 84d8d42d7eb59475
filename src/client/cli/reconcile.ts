import type { Command } from 'commander';
import { ensureReconciler } from '../reconciler';
import {
  acknowledgeOrphansUpdate,
  reconcileNowUpdate,
  type ReconcilerStatus,
} from '../../workflows/reconciler-messages';
import { istTime, keyValues, table } from './format';
import { withContext } from './context';

function render(status: ReconcilerStatus, uiUrl: string): string {
  const last = status.last;
  const head = keyValues([
    ['reconciled (IST)', istTime(last?.at)],
    ['result', last?.error ? `FAILED: ${last.error}` : 'ok'],
    ['orphan policy', status.orphanPolicy],
    [
      'new entries',
      status.gateEntries === false
        ? 'not gated (reconcile.gateEntries is off)'
        : status.gate.blocked
          ? `HELD: ${status.gate.reason}`
          : 'allowed',
    ],
    ['acknowledged', status.acknowledged.length > 0 ? status.acknowledged.join(', ') : undefined],
    ['web ui', uiUrl],
  ]);
  const rows = (last?.rows ?? []).filter((r) => r.verdict !== 'OK');
  const book =
    rows.length === 0
      ? 'broker and workflows agree'
      : table(
          [
            { header: 'VERDICT', value: (r) => r.verdict },
            { header: 'SYMBOL', value: (r) => r.tradingsymbol },
            { header: 'PRODUCT', value: (r) => r.product },
            { header: 'BROKER', value: (r) => r.broker, align: 'right' },
            { header: 'WORKFLOWS', value: (r) => r.owned, align: 'right' },
            { header: 'DIFF', value: (r) => r.difference, align: 'right' },
            { header: 'OWNED BY', value: (r) => r.workflows.join(' ') },
          ],
          rows,
        );
  const stale = last?.staleOrders ?? [];
  const orders =
    stale.length === 0
      ? ''
      : `\n\nstale open orders\n${table(
          [
            { header: 'ORDER', value: (o) => o.orderId },
            { header: 'WHY', value: (o) => o.why },
            { header: 'SYMBOL', value: (o) => o.tradingsymbol },
            { header: 'SIDE', value: (o) => o.transactionType },
            { header: 'PENDING', value: (o) => o.pendingQuantity, align: 'right' },
            { header: 'AGE (MIN)', value: (o) => o.ageMinutes, align: 'right' },
            { header: 'OWNER', value: (o) => o.owner },
          ],
          stale,
        )}`;
  const recent = status.recentActions ?? [];
  const actions = recent.length
    ? `\n\nrecent actions\n${recent.map((a) => `${istTime(a.at)}  ${a.action}`).join('\n')}`
    : '';
  return `${head}\n\n${book}${orders}${actions}`;
}

export function registerReconcile(program: Command): void {
  program
    .command('reconcile')
    .description("compare the broker's positions and open orders with the running positions, now")
    .option('--ack', 'acknowledge the orphans found, so new entries may open again')
    .action((opts: { ack?: boolean }, cmd: Command) =>
      withContext(cmd, async (ctx) => {
        const workflowId = await ensureReconciler(ctx.client, ctx.config);
        const handle = ctx.client.workflow.getHandle(workflowId);
        let status = await handle.executeUpdate(reconcileNowUpdate);
        if (opts.ack)
          status = await handle.executeUpdate(acknowledgeOrphansUpdate, {
            args: [process.env.USER ?? 'operator'],
          });
        const uiUrl = ctx.uiUrl(workflowId);
        ctx.out.emit({ workflowId, uiUrl, ...status }, () => render(status, uiUrl));
        const unexplained = status.gate.blocked && status.gateEntries !== false;
        if (status.last?.error || unexplained) process.exitCode = 1;
      }),
    );
}
