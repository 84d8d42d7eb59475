import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { KiteConnect } from 'kiteconnect';
import pino, { type Logger } from 'pino';
import { loadConfig, PAPER_CREDENTIALS, type Config, type Secrets } from '../../src/config';
import { istDateOf } from '../../src/domain/calendar';
import { ExchangeControl } from '../../src/exchange/control-client';
import { startExchange, type ExchangeOptions, type RunningExchange } from '../../src/exchange';
import { accountWorkflowId } from '../../src/workflows/messages';
import { createTradingWorker, type TradingWorker } from '../../src/workers/trading-worker';
import { workerNamespace } from './namespaces';
import { uniqueTaskQueue } from './temporal';

export interface PaperStack {
  config: Config;
  client: Client;
  control: ExchangeControl;
  /** The official client, for checking what the exchange really holds. */
  kite: InstanceType<typeof KiteConnect>;
  /** Replaced by restartExchange(); read it through the stack, not a copy. */
  exchange: RunningExchange;
  /** Closes the exchange, waits `downMs`, and starts it again on the same port and journal. */
  restartExchange(downMs?: number): Promise<void>;
  /** Absent when the test runs the worker itself, e.g. as a WorkerProcess it can SIGKILL. */
  worker?: TradingWorker;
  /** Ends the day's account book so the next test starts with empty risk. */
  resetAccount(): Promise<void>;
  stop(): Promise<void>;
}

export interface PaperStackOptions {
  overrides?: (config: Config) => Config;
  partialFillRatio?: number;
  /** Matching runs on each price change, so slow ticks hold back the remainder of a partial fill. */
  tickIntervalMs?: number;
  /** False: no worker in this process; the test brings its own on `config.temporal.taskQueue`. */
  inProcessWorker?: boolean;
  /** What the exchange accepts and the stack's own clients use; the paper defaults otherwise. */
  credentials?: { apiKey: string; accessToken: string; apiSecret?: string };
  /** The exchange's login settings (where its login page redirects, when its sessions end). */
  exchange?: Pick<ExchangeOptions, 'loginRedirectUrl' | 'tokenExpiry'>;
  /** Secrets for the in-process worker beyond the Kite pair, e.g. an alert channel's token. */
  secrets?: Partial<Secrets>;
  /** The in-process worker's logger; warnings to stdout otherwise. */
  logger?: Logger;
}

/**
 * The real thing on loopback: a paper exchange with its control API, the
 * production worker wiring (Kite adapter, ticker, tick hub, activities) and
 * the dev server from global setup, in this jest worker's own namespace.
 */
export async function startPaperStack(options: PaperStackOptions = {}): Promise<PaperStack> {
  const base = loadConfig({ env: {} });
  const credentials = options.credentials ?? PAPER_CREDENTIALS;
  const exchangeOptions: Omit<ExchangeOptions, 'port'> = {
    ...base.exchange,
    dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'paper-exchange-')),
    tickIntervalMs: options.tickIntervalMs ?? 100,
    session: 'always-open',
    partialFillRatio: options.partialFillRatio ?? 0,
    requestsPerSecond: 1000,
    ordersPerSecond: 1000,
    control: { enabled: true },
    credentials,
    ...options.exchange,
  };
  let exchange = await startExchange({ ...exchangeOptions, port: 0 });
  let config: Config = {
    ...base,
    temporal: {
      ...base.temporal,
      address: process.env.TEMPORAL_TEST_ADDRESS!,
      namespace: workerNamespace(),
      taskQueue: uniqueTaskQueue('paper'),
    },
    broker: { mode: 'paper', restUrl: exchange.restUrl, tickerUrl: exchange.tickerUrl },
  };
  config = options.overrides ? options.overrides(config) : config;
  const worker =
    options.inProcessWorker === false
      ? undefined
      : await createTradingWorker({
          config,
          secrets: {
            kiteApiKey: credentials.apiKey,
            kiteAccessToken: credentials.accessToken,
            webhookSecret: undefined,
            ...options.secrets,
          },
          logger: options.logger ?? pino({ level: 'warn' }),
          workflowBundle: { codePath: process.env.TEMPORAL_TEST_BUNDLE! },
        });
  const running = worker?.run();
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const kite = new KiteConnect({ api_key: credentials.apiKey, root: exchange.restUrl });
  kite.setAccessToken(credentials.accessToken);
  const resetAccount = async () => {
    await client.workflow
      .getHandle(accountWorkflowId(istDateOf(Date.now())))
      .terminate('test reset')
      .catch(() => undefined);
  };
  await resetAccount();
  const stack: PaperStack = {
    config,
    client,
    control: new ExchangeControl(exchange.restUrl),
    kite,
    exchange,
    restartExchange: async (downMs = 0) => {
      await exchange.close();
      await new Promise((r) => setTimeout(r, downMs));
      // Same port, so the worker's broker URLs and the stack's clients stay valid.
      exchange = await startExchange({ ...exchangeOptions, port: exchange.port });
      stack.exchange = exchange;
    },
    worker,
    resetAccount,
    stop: async () => {
      await resetAccount();
      await worker?.shutdown();
      await running;
      await connection.close();
      await exchange.close();
    },
  };
  return stack;
}
