import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { bundleTradingWorkflows } from '../../src/workers/workflow-bundle';
import { ensureTemporalCli } from '../../scripts/temporal-cli';
import { dynamicConfigArgs, sqlitePragmaArgs } from '../../scripts/temporal-server-settings';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';
import { freePort } from '../../tests/harness/free-port';
import { processUsage, type ProcessUsage } from '../../tests/harness/worker-process';
import type { Measured } from './usage';

export const BENCH_NAMESPACE = 'bench';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
const INDEXED_VALUE_TYPES: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.BOOL]: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
};

export interface BenchTemporal {
  address: string;
  namespace: string;
  /** The production workflows, bundled once for the worker processes. */
  tradingBundlePath: string;
  /** The bare baseline workflows. */
  baselineBundlePath: string;
  /** The server process (the CLI's dev server), for its CPU and memory beside the worker's. */
  server: Measured;
  /** The server's Prometheus endpoint: what it did, by operation (`serverRates`). */
  metricsUrl: string;
  teardown(): Promise<void>;
}

/** The dev server listening on `address`, found by its command line: the SDK starts it, not us. */
function serverPid(executable: string, address: string): number | undefined {
  const port = address.slice(address.lastIndexOf(':') + 1);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (args[0] === executable && args[args.indexOf('--port') + 1] === port) return Number(entry);
  }
  return undefined;
}

const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: console.warn,
  error: console.error,
};

async function bundleTo(
  dir: string,
  bundle: Promise<{ code: string }>,
  name: string,
): Promise<string> {
  const { code } = await bundle;
  const file = path.join(dir, `${name}.js`);
  fs.writeFileSync(file, code);
  return file;
}

export interface BenchServerOptions {
  /** `KEY=VALUE` dynamic config, added to the server settings or replacing one of them. */
  dynamicConfig?: string[];
  /** Start from Temporal's own defaults instead of ours (scripts/temporal-server-settings.ts). */
  temporalDefaults?: boolean;
  /** A SQLite file in a fresh temporary directory, as `npm start` keeps its state, instead of memory. */
  dbFile?: boolean;
  /** `PRAGMA=VALUE` for that file, added to ours or replacing one. */
  sqlitePragmas?: string[];
  /**
   * A server already running instead of a dev server of our own, such as
   * compose's shape (PostgreSQL, four history shards) outside Docker; the
   * options above do not apply to it.
   */
  external?: ExternalServer;
}

export interface ExternalServer {
  address: string;
  /** Its Prometheus endpoint, for `serverRates`. */
  metricsUrl: string;
}

/** What a bench server was started with, for the results. */
export const describeServer = (o: BenchServerOptions) => ({
  settings: o.temporalDefaults ? "Temporal's defaults" : 'ours',
  database: o.dbFile ? 'SQLite file' : 'SQLite in memory',
  dynamicConfig: o.dynamicConfig ?? [],
  sqlitePragmas: o.sqlitePragmas ?? [],
});

/**
 * The `temporal server start-dev` arguments for these options: the server
 * settings `npm start` runs with, unless told otherwise.
 */
function serverArgs(o: BenchServerOptions, dbDir: string): string[] {
  const dynamic = dynamicConfigArgs(o.dynamicConfig, o.temporalDefaults ? {} : undefined);
  if (!o.dbFile) return dynamic;
  const pragmas = sqlitePragmaArgs(o.sqlitePragmas, o.temporalDefaults ? {} : undefined);
  return [...dynamic, '--db-filename', path.join(dbDir, 'temporal.db'), ...pragmas];
}

/** The workflow bundles the worker processes and the baseline's worker load. */
async function bundles(dir: string) {
  return {
    tradingBundlePath: await bundleTo(dir, bundleTradingWorkflows(quiet), 'trading'),
    baselineBundlePath: await bundleTo(
      dir,
      bundleWorkflowCode({
        workflowsPath: require.resolve('../baseline/workflows'),
        logger: quiet,
      }),
      'baseline',
    ),
  };
}

/**
 * A dev server of our own (headless, free port, our search attributes) for
 * the whole run, with `npm start`'s settings unless `options` say otherwise.
 */
export async function startBenchTemporal(options: BenchServerOptions = {}): Promise<BenchTemporal> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trader-bench-'));
  if (options.external) return connectBenchTemporal(options.external, dir);
  const executable = ensureTemporalCli();
  const metricsPort = await freePort();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: executable },
      ip: '127.0.0.1',
      ui: false,
      searchAttributes: SEARCH_ATTRIBUTES,
      extraArgs: [
        ...['--log-level', 'error', '--namespace', BENCH_NAMESPACE],
        ...['--metrics-port', String(metricsPort)],
        ...serverArgs(options, dir),
      ],
    },
  });
  const pid = serverPid(executable, env.address);
  return {
    address: env.address,
    server: { usage: () => (pid === undefined ? undefined : processUsage(pid)) },
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    namespace: BENCH_NAMESPACE,
    ...(await bundles(dir)),
    teardown: async () => {
      await env.teardown();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Processes on this machine by name (/proc/PID/comm), read afresh on every call. */
function processesNamed(names: readonly string[]): number[] {
  return fs.readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      return names.includes(fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim())
        ? [Number(entry)]
        : [];
    } catch {
      return [];
    }
  });
}

/** An external server's processes and its database's, summed, as the dev server's one process holds both. */
const SERVER_PROCESSES = ['temporal-server', 'postgres'];

/**
 * The bench's namespace on an external server, registered with our search
 * attributes if it is not there; waits until the frontend answers a query on
 * them, since it learns of new ones on its own refresh.
 */
async function prepareNamespace(address: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const service = connection.workflowService;
    const known = await service.describeNamespace({ namespace: BENCH_NAMESPACE }).then(
      () => true,
      () => false,
    );
    if (!known) {
      await service.registerNamespace({
        namespace: BENCH_NAMESPACE,
        workflowExecutionRetentionPeriod: msToTs('1 day'),
      });
    }
    const wanted = Object.fromEntries(
      SEARCH_ATTRIBUTES.map((key) => [key.name, INDEXED_VALUE_TYPES[key.type]]),
    );
    const query = SEARCH_ATTRIBUTES.map((key) => `${key.name} IS NULL`).join(' AND ');
    for (let attempt = 0; ; attempt++) {
      try {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({
          namespace: BENCH_NAMESPACE,
        });
        const missing = Object.keys(wanted).filter((name) => !(name in customAttributes));
        if (missing.length > 0) {
          await connection.operatorService.addSearchAttributes({
            namespace: BENCH_NAMESPACE,
            searchAttributes: Object.fromEntries(missing.map((name) => [name, wanted[name]])),
          });
        }
        await service.countWorkflowExecutions({ namespace: BENCH_NAMESPACE, query });
        return;
      } catch (err) {
        if (attempt >= 60) throw err;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  } finally {
    await connection.close();
  }
}

async function connectBenchTemporal(external: ExternalServer, dir: string): Promise<BenchTemporal> {
  await prepareNamespace(external.address);
  const sum = (usages: (ProcessUsage | undefined)[]): ProcessUsage =>
    usages.reduce<ProcessUsage>(
      (total, u) => ({
        cpuSeconds: total.cpuSeconds + (u?.cpuSeconds ?? 0),
        rssBytes: total.rssBytes + (u?.rssBytes ?? 0),
      }),
      { cpuSeconds: 0, rssBytes: 0 },
    );
  return {
    address: external.address,
    server: { usage: () => sum(processesNamed(SERVER_PROCESSES).map(processUsage)) },
    metricsUrl: external.metricsUrl,
    namespace: BENCH_NAMESPACE,
    ...(await bundles(dir)),
    teardown: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
