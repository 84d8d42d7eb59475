import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ensureTemporalCli } from '../../scripts/temporal-cli';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';

export const BENCH_NAMESPACE = 'bench';

export interface BenchTemporal {
  address: string;
  namespace: string;
  /** The production workflows, bundled once for the worker processes. */
  tradingBundlePath: string;
  /** The bare baseline workflows. */
  baselineBundlePath: string;
  teardown(): Promise<void>;
}

const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: console.warn,
  error: console.error,
};

async function bundleTo(dir: string, workflowsPath: string, name: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: quiet });
  const file = path.join(dir, `${name}.js`);
  fs.writeFileSync(file, code);
  return file;
}

/**
 * A dev server of our own (headless, free port, our search attributes) for
 * the whole run, with `npm start`'s settings unless `dynamicConfig`
 * (`key=value`) says otherwise.
 */
export async function startBenchTemporal(dynamicConfig: string[] = []): Promise<BenchTemporal> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: ensureTemporalCli() },
      ip: '127.0.0.1',
      ui: false,
      searchAttributes: SEARCH_ATTRIBUTES,
      extraArgs: [
        ...['--log-level', 'error', '--namespace', BENCH_NAMESPACE],
        ...dynamicConfig.flatMap((kv) => ['--dynamic-config-value', kv]),
      ],
    },
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trader-bench-'));
  return {
    address: env.address,
    namespace: BENCH_NAMESPACE,
    tradingBundlePath: await bundleTo(dir, require.resolve('../../src/workflows'), 'trading'),
    baselineBundlePath: await bundleTo(dir, require.resolve('../baseline/workflows'), 'baseline'),
    teardown: () => env.teardown(),
  };
}
