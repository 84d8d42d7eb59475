import { ensureTemporalCli, temporalCliVersion } from './temporal-cli';

try {
  const cli = ensureTemporalCli();
  console.error(`[temporal-cli] ${temporalCliVersion(cli)} at ${cli}`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
