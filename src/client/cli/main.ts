import { Command, CommanderError } from 'commander';
import { describeFailure, EXIT_USAGE } from './context';
import { registerKill } from './kill';
import { registerLogin } from './login';
import { registerPosition } from './position';
import { registerPositions } from './positions';
import { registerReconcile } from './reconcile';
import { registerReport } from './report';
import { registerRunner } from './runner';
import { registerSignal } from './signal';
import { registerStatus } from './status';

export function buildProgram(): Command {
  const program = new Command('trade')
    .description(
      'operator tools for the Temporal options trader (config: config/*.yaml, TRADER__* env)',
    )
    .option('--json', 'machine-readable JSON on stdout instead of tables')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerRunner(program);
  registerSignal(program);
  registerPositions(program);
  registerPosition(program);
  registerKill(program);
  registerReconcile(program);
  registerReport(program);
  registerLogin(program);
  registerStatus(program);
  return program;
}

/** Runs the CLI and exits: 0 done, 1 refused or unreachable, 2 bad arguments. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    // A command that answered but found trouble (reconcile's orphans) has already set 1.
    process.exitCode ??= 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed its message (or the help text) to the right stream.
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    const failure = describeFailure(err);
    if (program.opts().json) {
      process.stderr.write(
        `${JSON.stringify({ error: failure.message, details: failure.details })}\n`,
      );
    } else {
      process.stderr.write(
        `error: ${failure.message}\n${failure.details.map((d) => `  ${d}\n`).join('')}`,
      );
    }
    process.exitCode = failure.exitCode;
  }
}
