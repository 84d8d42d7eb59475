import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { connectClient } from '../src/client/connect';
import { workflowUiUrl } from '../src/client/links';
import { keepTodaysRunner } from '../src/client/runner';
import { loadConfig, ConfigError, type Config } from '../src/config';
import { searchAttributeCliArgs } from '../src/workflows/search-attributes';
import { withWorkerProcessEnv } from '../src/workers/process-env';
import { Supervisor } from './supervisor';
import { ensureTemporalCli } from './temporal-cli';
import { dynamicConfigArgs, sqlitePragmaArgs } from './temporal-server-settings';
import { startWorkerWatchdog, workerHttpBase } from './worker-watchdog';

const ROOT = path.resolve(__dirname, '..');
const say = (msg: string) => console.log(`[start] ${msg}`);
const supervisor = new Supervisor(say);

const hostPort = (address: string): { host: string; port: number } => {
  const [host, port] = address.split(':');
  return { host, port: Number(port) };
};

function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000} s`);
}

async function temporalReady(config: Config): Promise<boolean> {
  const connection = await Connection.connect({
    address: config.temporal.address,
    connectTimeout: 1000,
  });
  try {
    await connection.workflowService.describeNamespace({ namespace: config.temporal.namespace });
    return true;
  } finally {
    await connection.close();
  }
}

/** Runs a TypeScript entry point with this Node and tsx's loader, so signals reach it directly. */
const tsEntry = (file: string) => ({
  command: process.execPath,
  args: ['--import', 'tsx', path.join(ROOT, file)],
});

async function main(): Promise<void> {
  const config = loadConfig();
  const cli = ensureTemporalCli();
  const { host, port } = hostPort(config.temporal.address);
  for (const [what, p] of [
    ['Temporal gRPC', port],
    ['Temporal Web UI', config.temporal.uiPort],
    ['webhook', config.webhook.port],
    ['worker metrics', config.metrics.port],
    ['Temporal SDK metrics', config.metrics.temporalPort],
    ...(config.broker.mode === 'paper' ? [['paper exchange', config.exchange.port] as const] : []),
  ] as const) {
    if (await portInUse(host, p))
      throw new Error(`${what} port ${p} is already in use: is another \`npm start\` running?`);
  }
  const dbFile = path.resolve(ROOT, config.temporal.dbFile);
  fs.mkdirSync(path.dirname(dbFile), { recursive: true });
  const logDir = path.resolve(ROOT, config.log.dir);
  let watchdog: { stop(): void } | undefined;
  const shutdown = async () => {
    say('stopping...');
    watchdog?.stop();
    await supervisor.stopAll();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  supervisor.start({
    name: 'temporal',
    command: cli,
    args: [
      'server',
      'start-dev',
      '--db-filename',
      dbFile,
      ...sqlitePragmaArgs(),
      ...dynamicConfigArgs(),
      '--ip',
      host,
      '--port',
      String(port),
      '--ui-port',
      String(config.temporal.uiPort),
      '--namespace',
      config.temporal.namespace,
      '--log-level',
      'warn',
      ...searchAttributeCliArgs(),
    ],
    logFile: path.join(logDir, 'temporal.log'),
    critical: true,
  });
  await waitFor('Temporal server', () => temporalReady(config));
  say(
    `Temporal server   ${config.temporal.address} (namespace ${config.temporal.namespace}, state in ${path.relative(ROOT, dbFile)})`,
  );
  say(`Temporal Web UI   http://localhost:${config.temporal.uiPort}`);

  if (config.broker.mode === 'paper') {
    supervisor.start({
      name: 'exchange',
      ...tsEntry('src/exchange/main.ts'),
      logFile: path.join(logDir, 'exchange.log'),
    });
    await waitFor('paper exchange', () => portInUse(config.exchange.host, config.exchange.port));
    say(`Paper exchange    ${config.broker.restUrl} (ticker ${config.broker.tickerUrl})`);
  }
  supervisor.start({
    name: 'worker',
    ...tsEntry('src/workers/main.ts'),
    env: withWorkerProcessEnv(process.env),
    logFile: path.join(logDir, 'worker.log'),
  });
  say(
    `Worker            task queue "${config.temporal.taskQueue}", logs in ${path.relative(ROOT, logDir)}/worker.log`,
  );
  if (config.metrics.port === 0) {
    say('Worker metrics    on a free port (metrics.port is 0), see its log; no health watchdog');
  } else {
    const base = workerHttpBase(config);
    await waitFor('worker metrics', () => portInUse(config.metrics.host, config.metrics.port));
    const sdkAlone =
      config.metrics.temporalPort === 0
        ? ''
        : `; the SDK's alone: http://127.0.0.1:${config.metrics.temporalPort}/metrics`;
    say(`Worker metrics    ${base}/metrics (trading and Temporal SDK metrics${sdkAlone})`);
    say(
      `Worker health     ${base}/healthz (alive)  ${base}/readyz (Temporal, broker, token, feed)`,
    );
    watchdog = startWorkerWatchdog({
      config,
      supervisor,
      say,
      logFile: path.join(logDir, 'supervisor.log'),
    });
  }
  supervisor.start({
    name: 'webhook',
    ...tsEntry('src/client/webhook-main.ts'),
    logFile: path.join(logDir, 'webhook.log'),
  });
  await waitFor('webhook', () => portInUse(config.webhook.host, config.webhook.port));
  const webhookBase = `http://${config.webhook.host}:${config.webhook.port}`;
  say(`Webhook           ${webhookBase}/signal`);
  say(`Webhook health    ${webhookBase}/healthz  ${webhookBase}/readyz  ${webhookBase}/metrics`);

  if (config.runner.autoStart) {
    const { client } = await connectClient(config);
    await keepTodaysRunner(
      client,
      config,
      (workflowId) => say(`Runner            ${workflowId}  ${workflowUiUrl(config, workflowId)}`),
      { onStayStopped: (message) => say(`Runner            ${message}`) },
    );
  } else {
    say('Runner            not started (runner.autoStart is off): `npx trade runner start`');
  }
  say('Ctrl-C stops everything. Running workflows resume on the next `npm start`.');
}

main().catch(async (err) => {
  console.error(err instanceof ConfigError ? err.message : `[start] ${(err as Error).message}`);
  // Whatever did start must not outlive a failed start-up.
  await supervisor.stopAll();
  process.exit(1);
});
