import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureTemporalCli } from '../../scripts/temporal-cli';
import { dynamicConfigArgs } from '../../scripts/temporal-server-settings';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';
import { bundleTradingWorkflows } from '../../src/workers/workflow-bundle';
import { TEST_NAMESPACES } from './namespaces';

/**
 * One real Temporal dev server for the whole run (headless, free port, our
 * search attributes and server settings), and one workflow bundle that every
 * test worker reuses.
 */
export default async function globalSetup(): Promise<void> {
  const cli = ensureTemporalCli();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli },
      ip: '127.0.0.1',
      ui: false,
      searchAttributes: SEARCH_ATTRIBUTES,
      // One namespace per jest worker, so each test file's day account book is its own.
      extraArgs: [
        ...['--log-level', 'error', ...TEST_NAMESPACES.flatMap((ns) => ['--namespace', ns])],
        // `npm start`'s server settings, so the tests see the same dispatch and timer timing.
        ...dynamicConfigArgs(),
      ],
    },
  });
  const bundle = await bundleTradingWorkflows({
    log: () => undefined,
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: console.warn,
    error: console.error,
  });
  const bundlePath = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), 'trader-bundle-')),
    'workflows.js',
  );
  fs.writeFileSync(bundlePath, bundle.code);
  process.env.TEMPORAL_TEST_ADDRESS = env.address;
  process.env.TEMPORAL_TEST_BUNDLE = bundlePath;
  process.env.TEMPORAL_CLI_PATH = cli;
  (globalThis as { __TEMPORAL_ENV__?: TestWorkflowEnvironment }).__TEMPORAL_ENV__ = env;
}
