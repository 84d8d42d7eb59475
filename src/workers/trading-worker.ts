import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createAccountActivities } from '../activities/account';
import { bundleTradingWorkflows } from './workflow-bundle';
import { createActivities } from '../activities';
import { createNotifyActivities } from '../activities/notify';
import { createFleetActivities, createPositionActivities } from '../activities/positions';
import { PositionStates } from '../activities/position-states';
import { createReconcileActivities } from '../activities/reconcile';
import { createStrategyActivities } from '../activities/strategy';
import { createKiteBroker, type KiteBroker } from '../adapters/kite/client';
import { TickCandles } from '../adapters/kite/tick-candles';
import { FeedWatchdog } from '../adapters/kite/feed-watchdog';
import { NetPositions } from '../adapters/kite/net-positions';
import { OrderBook } from '../adapters/kite/order-book';
import { TickHub } from '../adapters/kite/tick-hub';
import { createTicker } from '../adapters/kite/ticker';
import { createNotifier } from '../adapters/notify/notifier';
import type { Config, Secrets } from '../config';
import { istDateOf } from '../domain/calendar';
import { indexTokenOf } from '../domain/instruments';
import { isSessionOpen } from '../domain/session';
import type { Logger } from '../log';
import type { OrderMetrics } from '../observability/trading-metrics';
import type { BrokerSession } from './broker-session';
import { feedStaleAlert } from './feed-alerts';
import { DisarmedExits } from './disarmed-exits';
import { MarkReporter } from './mark-reporter';
import { reportMarketFacts } from './market-facts-notices';
import { missingSearchAttributes } from './search-attribute-check';
import { accountTaskQueue } from '../workflows/messages';
import { openBrokerSession, startTokenLifecycle } from './token-lifecycle';

/** How often open P&L reaches the account books: the breaker sees a loss within this. */
const MARK_INTERVAL_MS = 3_000;

export interface TradingWorkerOptions {
  config: Config;
  secrets: Secrets;
  logger: Logger;
  /** Tests pass the bundle built once in global setup; production bundles from source. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Where placeOrder counts orders (src/workers/observability.ts); none in most tests. */
  metrics?: OrderMetrics;
  /** Extra worker settings (tuning, identity) for tests and benchmarks. */
  tuning?: Partial<
    Pick<
      WorkerOptions,
      'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'identity'
    >
  >;
}

/**
 * Every OPEN position holds one awaitPriceTrigger activity for as long as it
 * is open, so the SDK's default of 100 activity slots would leave positions
 * past the hundredth unsupervised and starve every entry and exit behind
 * them. Slots are cheap (the waits are idle promises): room for every
 * position the risk book allows, twice over for the one entering or exiting
 * beside it, plus headroom for the runner and account activities.
 */
export const activitySlotsFor = (maxOpenPositions: number): number =>
  Math.max(100, 2 * maxOpenPositions + 50);

/**
 * The day's account book answers every position's reservation and release.
 * On the positions' task queue its workflow tasks wait in the one workflow
 * thread behind the positions' (each evicted position replays its history
 * there first); its own queue and worker give it a thread and a cache that
 * positions cannot take. (The stall at 700 positions was a replay loop this
 * alone did not cure: bench/README.md, session 7.)
 * A book runs one task at a time; a second slot serves a book carried over
 * from the day before, and its activities only alert and flatten.
 */
const BOOK_WORKER: Pick<
  WorkerOptions,
  | 'maxCachedWorkflows'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'maxConcurrentActivityTaskExecutions'
> = {
  maxCachedWorkflows: 4,
  maxConcurrentWorkflowTaskExecutions: 2,
  maxConcurrentActivityTaskExecutions: 20,
};

export interface TradingWorker {
  /** The positions' worker (also the runner and the reconciler). */
  worker: Worker;
  /** The account books' worker, on accountTaskQueue, in the same process and connection. */
  bookWorker: Worker;
  /** The worker's own Temporal client, for the processes it keeps running (the reconciler). */
  client: Client;
  hub: TickHub;
  /** The Kite session in use: its token's state and expiry, renewed in place by `trade login`. */
  session: BrokerSession;
  /** The worker's broker adapter, for readiness probes. */
  broker: KiteBroker;
  feedWatchdog: FeedWatchdog;
  /** The mirror of the broker's order book that tag look-ups read. */
  orders: OrderBook;
  /** What a trigger's exit checks the broker's net long against. */
  netPositions: NetPositions;
  run(): Promise<void>;
  shutdown(): Promise<void>;
}

/** config -> Kite adapter (REST + one ticker connection) -> activities -> worker. */
export async function createTradingWorker({
  config,
  secrets,
  logger,
  workflowBundle,
  tuning,
  metrics,
}: TradingWorkerOptions): Promise<TradingWorker> {
  const notifier = createNotifier({ config, secrets, logger });
  const session = openBrokerSession(config, secrets, logger);
  const credentials = { apiKey: secrets.kiteApiKey, accessToken: session.token.accessToken };
  const broker = createKiteBroker({
    restUrl: config.broker.restUrl,
    timeoutMs: 7_000,
    ...credentials,
    onTokenVerdict: (verdict) => session.judged(verdict),
  });
  const ticker = createTicker({ url: config.broker.tickerUrl, ...credentials });
  const hub = new TickHub(ticker, { logger, maxJumpPct: config.feed.maxTickJumpPct });
  const orders = new OrderBook(broker, ticker, logger);
  const netPositions = new NetPositions(broker, orders, { logger });
  const disarmed = new DisarmedExits();
  const feedWatchdog = new FeedWatchdog(hub, broker, {
    staleAfterMs: config.feed.staleAfterSeconds * 1000,
    pollIntervalMs: config.feed.pollIntervalMs,
    isOpen: (now) => isSessionOpen(now, config.session),
    logger,
    onStale: (token, since) => void notifier.deliver(feedStaleAlert(token, since, config)),
  });
  const tickCandles = new TickCandles(hub, ticker, config.runner.underlyings.map(indexTokenOf));
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const clientConnection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
  const missing = await missingSearchAttributes(clientConnection, config.temporal.namespace);
  if (missing.length > 0) {
    hub.close();
    await clientConnection.close();
    await connection.close();
    throw new Error(
      `namespace ${config.temporal.namespace} lacks the search attributes ${missing.join(', ')}: ` +
        'every workflow task that sets one would fail. Register them (`npm start` does; with ' +
        'docker compose the temporal-setup service does; by hand: `temporal operator ' +
        'search-attribute create --name <Name> --type <Type>`) and start the worker again',
    );
  }
  void reportMarketFacts({ config, broker, logger, today: istDateOf(Date.now()) });
  const taskQueue = config.temporal.taskQueue;
  const marks = new MarkReporter(client, hub, MARK_INTERVAL_MS, logger);
  // Bundled once for both workers when no prebuilt bundle is given.
  const bundle = workflowBundle ?? (await bundleTradingWorkflows());
  const notify = createNotifyActivities({ config, secrets, logger }, notifier);
  const fleet = createFleetActivities({ client });
  const states = new PositionStates(client);
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue,
    workflowBundle: bundle,
    activities: {
      ...createActivities({ broker, hub, orders, netPositions, disarmed, marks, metrics }),
      ...notify,
      ...createAccountActivities({
        client,
        taskQueue,
        risk: config.risk,
        historyLimit: config.temporal.positionHistoryLimit,
      }),
      ...createPositionActivities({ broker, states, netPositions }),
      ...fleet,
      ...createReconcileActivities({ states, broker, config }),
      ...createStrategyActivities({ broker, config, tickCandles }),
    },
    maxConcurrentActivityTaskExecutions: activitySlotsFor(config.risk.maxOpenPositions),
    maxCachedWorkflows: config.temporal.workflowCacheSize,
    sinks: { triggers: { disarm: { fn: (_info, armId: string) => disarmed.add(armId) } } },
    ...tuning,
  });
  const bookWorker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: accountTaskQueue(taskQueue),
    workflowBundle: bundle,
    activities: { ...notify, ...fleet },
    ...BOOK_WORKER,
    ...(tuning?.identity && { identity: `${tuning.identity}/account` }),
  });
  let running: Promise<void> | undefined;
  feedWatchdog.start();
  const tokenLifecycle = startTokenLifecycle({
    config,
    secrets,
    session,
    holders: [broker, ticker],
    notifier,
    logger,
  });
  const release = async () => {
    tokenLifecycle.stop();
    feedWatchdog.stop();
    marks.stop();
    netPositions.close();
    hub.close();
    await clientConnection.close();
    await connection.close();
  };
  const stop = (w: Worker) => {
    if (w.getState() === 'RUNNING') w.shutdown();
  };
  let positionsRun: Promise<void> | undefined;
  /** Both run until both stop; one that fails stops the other, and its error is the run's. */
  const runBoth = async () => {
    positionsRun = worker.run();
    const runs = await Promise.allSettled(
      [positionsRun, bookWorker.run()].map((run) =>
        run.catch((err: unknown) => {
          stop(worker);
          stop(bookWorker);
          throw err;
        }),
      ),
    );
    const failed = runs.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  return {
    worker,
    bookWorker,
    client,
    hub,
    session,
    broker,
    feedWatchdog,
    orders,
    netPositions,
    run: async () => {
      running = runBoth();
      try {
        await running;
      } finally {
        await release();
      }
    },
    shutdown: async () => {
      // Positions first: the book answers their last reservations and releases until they stop.
      stop(worker);
      await positionsRun?.catch(() => undefined);
      stop(bookWorker);
      await running;
    },
  };
}
