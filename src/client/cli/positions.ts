import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { Command } from 'commander';
import { istDateOf, istEpoch } from '../../domain/calendar';
import type { Phase } from '../../workflows/messages';
import {
  ExitBlockedKey,
  NeedsAttentionKey,
  OutcomeKey,
  PhaseKey,
  StrategyKey,
  TradingSymbolKey,
  UnderlyingKey,
} from '../../workflows/search-attributes';
import { istTime, table } from './format';
import { usageError, withContext } from './context';

export interface PositionRow {
  workflowId: string;
  status: string;
  phase?: string;
  underlying?: string;
  strategy?: string;
  tradingSymbol?: string;
  outcome?: string;
  /** Something after entry keeps failing: supervised and retrying, a person should look. */
  needsAttention: boolean;
  exitBlocked: boolean;
  startTime: string;
  closeTime?: string;
}

const PHASES: Phase[] = [
  'VALIDATING',
  'RESERVING',
  'SELECTING',
  'ENTERING',
  'OPEN',
  'EXITING',
  'CLOSED',
  'REJECTED',
  'ENTRY_FAILED',
];

const DAY_MS = 86_400_000;

/** Returns `day` if it is a real `YYYY-MM-DD` date, else a usage error naming `option`. */
export function checkIstDay(day: string, option: string): string {
  const parsed = Date.parse(`${day}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(day) ||
    Number.isNaN(parsed) ||
    !new Date(parsed).toISOString().startsWith(day)
  ) {
    throw usageError(`${option}: expected an IST day as YYYY-MM-DD, got ${JSON.stringify(day)}`);
  }
  return day;
}

/** A `YYYY-MM-DD` IST day as a visibility clause on StartTime. */
export function istDayClause(day: string): string {
  const start = istEpoch(day, '00:00');
  return `StartTime >= '${new Date(start).toISOString()}' AND StartTime < '${new Date(start + DAY_MS).toISOString()}'`;
}

export const todayIst = (): string => istDateOf(Date.now());

const rowOf = (info: WorkflowExecutionInfo): PositionRow => {
  const attrs = info.typedSearchAttributes;
  return {
    workflowId: info.workflowId,
    status: info.status.name,
    phase: attrs.get(PhaseKey),
    underlying: attrs.get(UnderlyingKey),
    strategy: attrs.get(StrategyKey),
    tradingSymbol: attrs.get(TradingSymbolKey),
    outcome: attrs.get(OutcomeKey),
    needsAttention: attrs.get(NeedsAttentionKey) === true,
    exitBlocked: attrs.get(ExitBlockedKey) === true,
    startTime: info.startTime.toISOString(),
    closeTime: info.closeTime?.toISOString(),
  };
};

/** Position workflows matching extra visibility clauses, newest first. */
export async function listPositions(
  client: Client,
  clauses: string[],
  limit = 1_000,
): Promise<PositionRow[]> {
  const query = [`WorkflowType = 'positionWorkflow'`, ...clauses].join(' AND ');
  const rows: PositionRow[] = [];
  for await (const info of client.workflow.list({ query })) {
    rows.push(rowOf(info));
    if (rows.length >= limit) break;
  }
  return rows.sort((a, b) => b.startTime.localeCompare(a.startTime));
}

interface PositionsOptions {
  open?: boolean;
  today?: boolean;
  date?: string;
  phase?: string;
  attention?: boolean;
  limit: string;
}

function clausesFrom(opts: PositionsOptions): string[] {
  const clauses: string[] = [];
  // Running, not Phase = OPEN: a position still entering or exiting needs watching too.
  if (opts.open) clauses.push(`ExecutionStatus = 'Running'`);
  if (opts.today && opts.date) throw usageError('--today and --date: give one or the other');
  if (opts.date !== undefined) clauses.push(istDayClause(checkIstDay(opts.date, '--date')));
  if (opts.today) clauses.push(istDayClause(todayIst()));
  if (opts.phase !== undefined) {
    const phase = opts.phase.toUpperCase();
    if (!PHASES.includes(phase as Phase)) {
      throw usageError(
        `--phase: expected one of ${PHASES.join(', ')}, got ${JSON.stringify(opts.phase)}`,
      );
    }
    clauses.push(`Phase = '${phase}'`);
  }
  if (opts.attention) clauses.push('NeedsAttention = true');
  return clauses;
}

const flagsOf = (r: PositionRow): string | undefined =>
  [r.needsAttention && 'ATTENTION', r.exitBlocked && 'EXIT-BLOCKED'].filter(Boolean).join(',') ||
  undefined;

export function registerPositions(program: Command): void {
  program
    .command('positions')
    .description('list position workflows from Temporal visibility')
    .option('--open', 'only positions not yet finished (entering, open or exiting)')
    .option('--today', 'only positions started today (IST)')
    .option('--date <YYYY-MM-DD>', 'only positions started on this IST day')
    .option('--phase <phase>', `only this phase: ${PHASES.join(', ')}`)
    .option('--attention', 'only positions that need attention (supervised, retrying a failure)')
    .option('--limit <n>', 'at most this many rows', '200')
    .action((opts: PositionsOptions, cmd: Command) => {
      const clauses = clausesFrom(opts);
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit <= 0) {
        throw usageError(
          `--limit: expected a positive whole number, got ${JSON.stringify(opts.limit)}`,
        );
      }
      return withContext(cmd, async ({ client, out, uiUrl }) => {
        const rows = (await listPositions(client, clauses, limit)).map((r) => ({
          ...r,
          uiUrl: uiUrl(r.workflowId),
        }));
        out.emit(rows, () =>
          rows.length === 0
            ? 'no positions match'
            : table(
                [
                  { header: 'ID', value: (r) => r.workflowId },
                  { header: 'PHASE', value: (r) => r.phase },
                  { header: 'UNDERLYING', value: (r) => r.underlying },
                  { header: 'STRATEGY', value: (r) => r.strategy },
                  { header: 'SYMBOL', value: (r) => r.tradingSymbol },
                  { header: 'OUTCOME', value: (r) => r.outcome },
                  { header: 'FLAGS', value: (r) => flagsOf(r) },
                  { header: 'STARTED (IST)', value: (r) => istTime(Date.parse(r.startTime)) },
                  { header: 'WEB UI', value: (r) => r.uiUrl },
                ],
                rows,
              ),
        );
      });
    });
}
