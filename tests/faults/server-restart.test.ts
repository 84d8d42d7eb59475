import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { istDateOf } from '../../src/domain/calendar';
import { accountSummaryQuery, accountWorkflowId } from '../../src/workflows/messages';
import {
  byContract,
  enterCohort,
  ratchetThenExit,
  resultsOf,
  type OpenPosition,
  type TradedPosition,
} from './helpers/cohorts';
import { DevServer, freePort } from './helpers/dev-server';
import { auditAgainstExchange, formatCounts } from './helpers/exchange-audit';
import { startFaultStack, type FaultStack } from './helpers/fault-stack';
import { FULL_SIZE } from './helpers/suite-size';

const SIZE = FULL_SIZE ? { perSide: 10, outageMs: 20_000 } : { perSide: 3, outageMs: 5_000 };
const STEP_TIMEOUT_MS = 90_000;
const NAMESPACE = 'default';

describe('Temporal server stopped and restarted on the same database while positions are OPEN', () => {
  let server: DevServer;
  let fault: FaultStack;
  /** Audited together, so the second restart is also shown not to have disturbed the first test's positions. */
  const everTraded: TradedPosition[] = [];
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-restart-'));
    server = new DevServer({
      cli: process.env.TEMPORAL_CLI_PATH!,
      dbFile: path.join(dir, 'temporal.sqlite'),
      port: await freePort(),
      namespace: NAMESPACE,
      logFile: path.join(dir, 'temporal.log'),
    });
    await server.start();
    fault = await startFaultStack({ temporal: { address: server.address, namespace: NAMESPACE } });
  });
  afterAll(async () => {
    await fault?.stop();
    await server?.stop('SIGTERM');
  });

  const accountBook = () =>
    fault.stack.client.workflow
      .getHandle(accountWorkflowId(istDateOf(Date.now())))
      .query(accountSummaryQuery);

  const sellOrders = async () =>
    ((await fault.stack.kite.getOrders()) as unknown as Array<{ transaction_type: string }>).filter(
      (o) => o.transaction_type === 'SELL',
    ).length;

  /** Pins each contract at its positions' lowest stop-loss, so every one of them is through its stop. */
  const crossStops = async (positions: OpenPosition[]) => {
    for (const [token, group] of byContract(positions))
      await fault.stack.control.pinPrice(
        token,
        Math.min(...group.map((p) => p.state.exits!.stopLoss)),
      );
  };

  it.each(['SIGTERM', 'SIGKILL'] as const)(
    'stopped by %s: nothing is lost, and stops crossed during and after the outage exit',
    async (signal) => {
      const { stack, worker } = fault;
      const started = Date.now();
      const duringOutage = await enterCohort(
        stack,
        { underlying: 'NIFTY', direction: 'LONG' },
        SIZE.perSide,
        STEP_TIMEOUT_MS,
      );
      const afterOutage = await enterCohort(
        stack,
        { underlying: 'NIFTY', direction: 'SHORT' },
        SIZE.perSide,
        STEP_TIMEOUT_MS,
      );
      const positions = [...duringOutage, ...afterOutage];
      const bookBefore = await accountBook();
      const sellsBefore = await sellOrders();

      await server.stop(signal);
      await crossStops(duringOutage);
      await new Promise((r) => setTimeout(r, SIZE.outageMs));
      // The armed triggers sold from the worker's own ticks with the server away: one sell each.
      expect(await sellOrders()).toBe(sellsBefore + duringOutage.length);
      // The worker rides out the outage on its own: nobody restarts it in this test.
      expect(worker.running).toBe(true);
      await server.start();

      const listed = new Set<string>();
      for await (const wf of stack.client.workflow.list({
        query: `TaskQueue = "${stack.config.temporal.taskQueue}" AND WorkflowType = "positionWorkflow"`,
      }))
        listed.add(wf.workflowId);
      expect(positions.filter((p) => !listed.has(p.handle.workflowId))).toEqual([]);

      // Supervision resumed: the full trailing script runs on the other half after the restart.
      await Promise.all(
        [...byContract(afterOutage)].map(([token, group]) =>
          ratchetThenExit(stack, token, group, STEP_TIMEOUT_MS),
        ),
      );
      const traded = await resultsOf(positions);
      const bookAfter = await accountBook();
      everTraded.push(...traded);
      const audit = await auditAgainstExchange(stack.kite, everTraded);
      const exitReasons = traded.map((t) => t.summary.exitReason);
      console.log(
        `[server-restart ${signal}] ${Math.round((Date.now() - started) / 1000)} s, outage ${SIZE.outageMs / 1000} s, ` +
          `worker survived the outage; listed after restart ${listed.size}; ` +
          `exits ${JSON.stringify(countBy(exitReasons))}; ${formatCounts(audit.counts)}`,
      );
      expect(exitReasons).toEqual([
        ...duringOutage.map(() => 'STOP_LOSS'),
        ...afterOutage.map(() => 'TRAILING_STOP'),
      ]);
      expect(audit.problems).toEqual([]);
      expect(audit.counts).toMatchObject({
        duplicateTags: 0,
        flat: everTraded.length,
        closedAndMatching: everTraded.length,
        strayOrders: 0,
        openSymbols: 0,
      });
      // The day's book heard every release, with the P&L the positions reported.
      expect(bookAfter.openPositions).toEqual([]);
      expect(bookAfter.tradesToday).toBe(bookBefore.tradesToday);
      expect(bookAfter.realisedPnl - bookBefore.realisedPnl).toBeCloseTo(
        traded.reduce((s, t) => s + t.summary.netPnl, 0),
        2,
      );
    },
    5 * 60_000,
  );
});

const countBy = (xs: unknown[]) =>
  xs.reduce<Record<string, number>>(
    (acc, x) => ({ ...acc, [String(x)]: (acc[String(x)] ?? 0) + 1 }),
    {},
  );
