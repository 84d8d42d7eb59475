import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { parseSignal, SignalValidationError } from '../../domain/signal';
import { submitSignal } from '../submit';
import { keyValues } from './format';
import { withContext } from './context';

interface SignalOptions {
  id?: string;
  underlying?: string;
  direction?: string;
  strategy: string;
  strength?: string;
  move?: string;
  slPct?: string;
  targetPct?: string;
}

/** Schema field -> the flag that sets it, so a rejection names what the operator typed. */
const FLAG_OF: Record<string, string> = {
  id: '--id',
  underlying: '--underlying',
  direction: '--direction',
  strategy: '--strategy',
  strength: '--strength',
  expectedMovePct: '--move',
  'exits.stopLoss.pct': '--sl-pct',
  'exits.target.pct': '--target-pct',
};

/**
 * Numbers stay strings when they do not parse, so the shared schema, the one
 * judge of a signal, reports them with the field name and the value given.
 */
const numeric = (raw: string | undefined): number | string | undefined =>
  raw === undefined || raw.trim() === '' || !Number.isFinite(Number(raw)) ? raw : Number(raw);

function signalFrom(opts: SignalOptions, now: Date) {
  const stopLoss = numeric(opts.slPct);
  const target = numeric(opts.targetPct);
  const exits = {
    ...(stopLoss !== undefined && { stopLoss: { pct: stopLoss } }),
    ...(target !== undefined && { target: { pct: target } }),
  };
  return {
    id: opts.id ?? `cli-${now.getTime()}-${randomUUID().slice(0, 8)}`,
    underlying: opts.underlying?.toUpperCase(),
    direction: opts.direction?.toUpperCase(),
    strategy: opts.strategy,
    strength: numeric(opts.strength),
    expectedMovePct: numeric(opts.move),
    ...(Object.keys(exits).length > 0 && { exits }),
    createdAt: now.toISOString(),
  };
}

const withFlags = (errors: string[]) =>
  errors.map((line) => {
    const field = line.slice(0, line.indexOf(':'));
    return FLAG_OF[field] ? `${FLAG_OF[field]} (${line})` : line;
  });

export function registerSignal(program: Command): void {
  program
    .command('signal')
    .description('submit a trading signal; it becomes the position workflow pos-<id>')
    .option('--id <id>', 'signal id (default: generated); re-sending an id is a no-op')
    .option('--underlying <name>', 'NIFTY, BANKNIFTY or FINNIFTY')
    .option('--direction <dir>', 'LONG buys a call, SHORT buys a put')
    .option('--strategy <name>', 'strategy name for reports', 'manual')
    .option('--strength <0-10>', 'signal strength')
    .option('--move <pct>', 'expected move of the underlying, percent')
    .option('--sl-pct <pct>', 'stop-loss, percent of the entry premium')
    .option('--target-pct <pct>', 'target, percent of the entry premium')
    .action((opts: SignalOptions, cmd: Command) => {
      const input = signalFrom(opts, new Date());
      // Checked before connecting, so bad input is reported even when Temporal is down.
      const parsed = parseSignal(input);
      if (!parsed.ok) throw new SignalValidationError(withFlags(parsed.errors));
      return withContext(cmd, async ({ client, config, out, uiUrl }) => {
        const submitted = await submitSignal(client, config, parsed.signal);
        const result = {
          workflowId: submitted.workflowId,
          started: submitted.started,
          uiUrl: uiUrl(submitted.workflowId),
        };
        out.emit(result, () =>
          keyValues([
            [submitted.started ? 'started' : 'already exists', submitted.workflowId],
            ['web ui', result.uiUrl],
          ]),
        );
      });
    });
}
