import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const TEMPORAL_CLI_VERSION = '1.5.1';
const ROOT = path.resolve(__dirname, '..');
export const LOCAL_CLI = path.join(ROOT, '.tools', 'bin', 'temporal');

const INSTALL_HELP = `The Temporal CLI is needed to run a local Temporal server. Install it one of these ways:
  - macOS/Linux with Homebrew:  brew install temporal
  - the official archive:       https://temporal.download/cli/archive/latest?platform=linux&arch=amd64
                                (unpack it and set TEMPORAL_CLI_PATH=/path/to/temporal)
  - Go 1.23+ on PATH:           re-run this command and it builds v${TEMPORAL_CLI_VERSION} into .tools/bin
  - Docker:                     docker compose up   (runs Temporal with PostgreSQL instead)`;

const isExecutable = (file: string): boolean => {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** TEMPORAL_CLI_PATH, then .tools/bin/temporal, then `temporal` on PATH. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TEMPORAL_CLI_PATH) {
    if (!isExecutable(env.TEMPORAL_CLI_PATH)) {
      throw new Error(`TEMPORAL_CLI_PATH=${env.TEMPORAL_CLI_PATH} is not an executable file`);
    }
    return env.TEMPORAL_CLI_PATH;
  }
  if (isExecutable(LOCAL_CLI)) return LOCAL_CLI;
  return onPath('temporal');
}

function buildWithGo(go: string): string {
  const started = Date.now();
  console.error(
    `[temporal-cli] building Temporal CLI v${TEMPORAL_CLI_VERSION} with Go into .tools/bin (first run only, a few minutes)...`,
  );
  const result = spawnSync(
    go,
    [
      'install',
      '-ldflags',
      `-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`,
      `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`,
    ],
    {
      stdio: 'inherit',
      env: {
        ...process.env,
        GOBIN: path.dirname(LOCAL_CLI),
        CGO_ENABLED: process.env.CGO_ENABLED ?? '0',
      },
    },
  );
  if (result.status !== 0 || !isExecutable(LOCAL_CLI)) {
    throw new Error(
      `go install of the Temporal CLI failed (exit ${result.status}).\n${INSTALL_HELP}`,
    );
  }
  const mib = (fs.statSync(LOCAL_CLI).size / 2 ** 20).toFixed(0);
  console.error(
    `[temporal-cli] built ${LOCAL_CLI} in ${((Date.now() - started) / 1000).toFixed(0)} s (${mib} MiB)`,
  );
  return LOCAL_CLI;
}

/** Finds the CLI or builds it; throws with install instructions when neither works. */
export function ensureTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  const found = findTemporalCli(env);
  if (found) return found;
  const go = onPath('go');
  if (!go)
    throw new Error(
      `Temporal CLI not found (looked at TEMPORAL_CLI_PATH, ${LOCAL_CLI} and PATH).\n${INSTALL_HELP}`,
    );
  return buildWithGo(go);
}

export const temporalCliVersion = (cli: string): string =>
  execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim();
