import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import pino from 'pino';
import { loadConfig, PAPER_CREDENTIALS } from '../../src/config';
import { startExchange, type RunningExchange } from '../../src/exchange';
import { missingSearchAttributes } from '../../src/workers/search-attribute-check';
import { createTradingWorker } from '../../src/workers/trading-worker';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';
import { workerNamespace } from '../harness/namespaces';

/**
 * An upsert of an unregistered search attribute fails every workflow task,
 * and a position's phase change comes before its sell order: a worker that
 * ran anyway would never exit anything. It must refuse to start instead.
 */
describe('the worker checks its search attributes before it starts', () => {
  const address = process.env.TEMPORAL_TEST_ADDRESS!;
  let connection: Connection;
  let exchange: RunningExchange;
  beforeAll(async () => {
    connection = await Connection.connect({ address });
    const base = loadConfig({ env: {} });
    exchange = await startExchange({
      ...base.exchange,
      port: 0,
      dataDir: `/tmp/sa-check-${randomUUID()}`,
      credentials: PAPER_CREDENTIALS,
    });
  });
  afterAll(async () => {
    await exchange.close();
    await connection.close();
  });

  it('finds nothing missing in a namespace set up like npm start sets it up', async () => {
    expect(await missingSearchAttributes(connection, workerNamespace())).toEqual([]);
  });

  it('refuses to start, naming every missing attribute, in a namespace without them', async () => {
    const namespace = `bare-${randomUUID().slice(0, 8)}`;
    execFileSync(process.env.TEMPORAL_CLI_PATH!, [
      'operator',
      'namespace',
      'create',
      '--namespace',
      namespace,
      '--address',
      address,
    ]);
    const missing = await missingSearchAttributes(connection, namespace);
    expect(missing).toEqual(SEARCH_ATTRIBUTES.map((k) => `${k.name} (${k.type})`));
    const base = loadConfig({ env: {} });
    const started = createTradingWorker({
      config: {
        ...base,
        temporal: { ...base.temporal, address, namespace, taskQueue: `sa-${namespace}` },
        broker: { mode: 'paper', restUrl: exchange.restUrl, tickerUrl: exchange.tickerUrl },
      },
      secrets: {
        kiteApiKey: PAPER_CREDENTIALS.apiKey,
        kiteAccessToken: PAPER_CREDENTIALS.accessToken,
        webhookSecret: undefined,
      },
      logger: pino({ level: 'silent' }),
      workflowBundle: { codePath: process.env.TEMPORAL_TEST_BUNDLE! },
    });
    await expect(started).rejects.toThrow(
      new RegExp(
        `namespace ${namespace} lacks the search attributes Underlying \\(KEYWORD\\), .*NeedsAttention \\(BOOL\\)`,
      ),
    );
  });
});
