import { ApplicationFailure, Client, Connection } from '@temporalio/client';
import { loadConfig, type Config } from '../../src/config';
import type { DayReport } from '../../src/client/cli/report';
import { todayIst, type PositionRow } from '../../src/client/cli/positions';
import type { RunnerStatus, RunnerSummary } from '../../src/workflows/runner-messages';
import {
  accountTaskQueue,
  type AccountSummary,
  type PositionState,
} from '../../src/workflows/messages';
import { workerNamespace } from '../harness/namespaces';
import { createFleetActivities } from '../../src/activities/positions';
import { quietNotifyActivities } from '../harness/quiet-notifier';
import { startTestWorker, type RunningWorker } from '../harness/temporal';
import { eventually } from '../harness/eventually';
import { cliEnv, runCli, runCliJson } from './run-cli';

const uniqueId = (tag: string) => `cli-${tag}-${Math.random().toString(36).slice(2, 10)}`;

/**
 * Every command as a subprocess against the real dev server, with a worker
 * that has no activities: weak signals end REJECTED without a broker, which
 * is all that listing, showing, reporting and the error paths need.
 */
describe('trade CLI against a real Temporal server (no broker)', () => {
  let worker: RunningWorker;
  let bookWorker: RunningWorker;
  let connection: Connection;
  let client: Client;
  let config: Config;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const namespace = workerNamespace();
    connection = await Connection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS! });
    client = new Client({ connection, namespace });
    worker = await startTestWorker({
      namespace,
      activities: {
        // The runner's one activity, failing the way a broker without candles does.
        evaluateStrategies: async () => {
          throw ApplicationFailure.nonRetryable('no candles in this test', 'InvalidRequest');
        },
        // The kill switch flattens through Temporal alone, and alerts (nowhere).
        ...createFleetActivities({ client }),
        ...quietNotifyActivities(),
      },
    });
    // `kill` starts the day's book, which runs on its own queue beside the positions'.
    bookWorker = await startTestWorker({
      namespace,
      taskQueue: accountTaskQueue(worker.taskQueue),
      activities: { ...createFleetActivities({ client }), ...quietNotifyActivities() },
    });
    const base = loadConfig({ env: {} });
    config = {
      ...base,
      temporal: {
        ...base.temporal,
        address: process.env.TEMPORAL_TEST_ADDRESS!,
        namespace,
        taskQueue: worker.taskQueue,
      },
    };
    env = cliEnv(config);
  });
  afterAll(async () => {
    await Promise.all([worker.stop(), bookWorker.stop()]);
    await connection.close();
  });

  const uiUrl = (workflowId: string) =>
    `http://localhost:${config.temporal.uiPort}/namespaces/${config.temporal.namespace}/workflows/${workflowId}`;

  /** A signal the workflow rejects on strength, so it closes without touching a broker. */
  async function rejectedPosition(): Promise<string> {
    const id = uniqueId('weak');
    const started = await runCliJson<{ workflowId: string }>(
      [
        'signal',
        '--id',
        id,
        '--underlying',
        'NIFTY',
        '--direction',
        'LONG',
        '--strength',
        '2',
        '--move',
        '0.5',
      ],
      env,
    );
    await client.workflow.getHandle(started.workflowId).result();
    return started.workflowId;
  }

  describe('signal', () => {
    it('starts pos-<id>, prints its Web UI link, and treats a re-send as a no-op', async () => {
      const id = uniqueId('sig');
      const args = [
        'signal',
        '--id',
        id,
        '--underlying',
        'nifty',
        '--direction',
        'short',
        '--strategy',
        'cli-test',
        '--strength',
        '3',
        '--move',
        '0.4',
        '--sl-pct',
        '20',
        '--target-pct',
        '40',
      ];
      const first = await runCli(args, env);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain(`started`);
      expect(first.stdout).toContain(uiUrl(`pos-${id}`));
      const again = await runCliJson<{ workflowId: string; started: boolean; uiUrl: string }>(
        args,
        env,
      );
      expect(again).toEqual({ workflowId: `pos-${id}`, started: false, uiUrl: uiUrl(`pos-${id}`) });
      const summary = await client.workflow.getHandle(`pos-${id}`).result();
      expect(summary).toMatchObject({
        outcome: 'REJECTED',
        strategy: 'cli-test',
        underlying: 'NIFTY',
      });
    });

    it('rejects bad input with exit code 2, naming each flag, and starts nothing', async () => {
      const id = uniqueId('bad');
      const run = await runCli(
        [
          'signal',
          '--id',
          id,
          '--underlying',
          'SENSEX',
          '--direction',
          'UP',
          '--strength',
          '12',
          '--move',
          'lots',
        ],
        env,
      );
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      for (const flag of ['--underlying', '--direction', '--strength', '--move']) {
        expect(run.stderr).toContain(flag);
      }
      expect(run.stderr).toContain('nothing was started');
      await expect(client.workflow.getHandle(`pos-${id}`).describe()).rejects.toThrow(/not found/i);
    });

    it('reports errors as JSON on stderr with --json', async () => {
      const run = await runCli(['signal', '--underlying', 'NIFTY', '--json'], env);
      expect(run.code).toBe(2);
      const error = JSON.parse(run.stderr) as { error: string; details: string[] };
      expect(error.details.join('\n')).toMatch(/--direction.*\n?.*--strength|--strength/s);
    });
  });

  describe('positions', () => {
    it('lists positions from visibility as a table and as JSON', async () => {
      const workflowId = await rejectedPosition();
      const rows = await eventually(
        () => runCliJson<PositionRow[]>(['positions', '--today'], env),
        (list) => list.some((r) => r.workflowId === workflowId && r.phase === 'REJECTED'),
      );
      expect(rows.find((r) => r.workflowId === workflowId)).toMatchObject({
        status: 'COMPLETED',
        phase: 'REJECTED',
        outcome: 'REJECTED',
        underlying: 'NIFTY',
        strategy: 'manual',
        uiUrl: uiUrl(workflowId),
      });
      const table = await runCli(['positions', '--phase', 'rejected'], env);
      expect(table.code).toBe(0);
      expect(table.stdout.split('\n')[0]).toMatch(
        /^ID\s+PHASE\s+UNDERLYING\s+STRATEGY\s+SYMBOL\s+OUTCOME/,
      );
      expect(table.stdout).toContain(workflowId);
      const open = await runCliJson<PositionRow[]>(['positions', '--open'], env);
      expect(open.map((r) => r.workflowId)).not.toContain(workflowId);
    });

    it.each([
      [['positions', '--date', '2025-13-01'], '--date'],
      [['positions', '--today', '--date', '2025-01-01'], '--today and --date'],
      [['positions', '--phase', 'SIDEWAYS'], '--phase'],
      [['positions', '--limit', 'ten'], '--limit'],
      [['positions', '--bogus'], "unknown option '--bogus'"],
    ])('refuses %j with exit code 2', async (args, mention) => {
      const run = await runCli(args, env);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(mention);
    });
  });

  describe('position', () => {
    it('shows a position from its state() query, by workflow id or signal id', async () => {
      const workflowId = await rejectedPosition();
      const shown = await runCli(['position', 'show', workflowId], env);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(/phase\s+REJECTED/);
      expect(shown.stdout).toContain('strength 2 is below the minimum');
      expect(shown.stdout).toContain(uiUrl(workflowId));
      const json = await runCliJson<{ workflowId: string; state: PositionState }>(
        ['position', 'show', workflowId.slice('pos-'.length)],
        env,
      );
      expect(json.workflowId).toBe(workflowId);
      expect(json.state).toMatchObject({ phase: 'REJECTED', summary: { outcome: 'REJECTED' } });
    });

    it('says a position does not exist with exit code 1', async () => {
      for (const command of ['show', 'exit', 'pause', 'resume']) {
        const run = await runCli(['position', command, 'pos-no-such-signal'], env);
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/pos-no-such-signal.*not found/);
      }
    });

    it('refuses to steer a finished position', async () => {
      const workflowId = await rejectedPosition();
      for (const args of [
        ['exit', '--reason', 'test'],
        ['pause'],
        ['resume'],
        ['modify', '--sl', '10'],
      ]) {
        const run = await runCli(['position', args[0], workflowId, ...args.slice(1)], env);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(`position ${workflowId} has finished (COMPLETED)`);
      }
    });

    it.each([
      [['position', 'modify', 'pos-x'], 'give --sl and/or --target'],
      [['position', 'modify', 'pos-x', '--sl', 'low'], '--sl: expected a number'],
      [['position', 'show', 'pos-bad id!'], 'position id'],
      [['position', 'show'], "missing required argument 'id'"],
      [['position', 'close', 'pos-x'], "unknown command 'close'"],
    ])('refuses %j with exit code 2', async (args, mention) => {
      const run = await runCli(args, env);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(mention);
    });
  });

  describe('runner', () => {
    it('starts, pauses, resumes and stops the day runner, showing its status', async () => {
      const day = todayIst();
      const workflowId = `runner-${day}`;
      const started = await runCli(['runner', 'start'], env);
      expect(started.code).toBe(0);
      expect(started.stdout).toMatch(new RegExp(`running\\s+${workflowId}`));
      expect(started.stdout).toContain(uiUrl(workflowId));
      // A second start is the same runner, not a second one.
      const again = await runCliJson<{ workflowId: string }>(['runner', 'start'], env);
      expect(again.workflowId).toBe(workflowId);

      const status = () =>
        runCliJson<{ workflowId: string; status: RunnerStatus }>(['runner', 'status'], env);
      expect((await status()).status).toMatchObject({ day, paused: false, stopped: false });
      expect((await runCliJson<{ action: string }>(['runner', 'pause'], env)).action).toBe(
        'paused',
      );
      expect((await status()).status.paused).toBe(true);
      const human = await runCli(['runner', 'status'], env);
      expect(human.stdout).toMatch(/state\s+paused/);
      await runCliJson(['runner', 'resume'], env);
      expect((await status()).status.paused).toBe(false);

      const stop = await runCli(['runner', 'stop', '--reason', 'cli test'], env);
      expect(stop.code).toBe(0);
      expect(stop.stdout).toContain(`stop requested  ${workflowId}`);
      const summary = (await client.workflow.getHandle(workflowId).result()) as RunnerSummary;
      expect(summary.endedBy).toBe('stop');
      const late = await runCli(['runner', 'pause'], env);
      expect(late.code).toBe(1);
      expect(late.stderr).toContain(`runner ${workflowId} has finished (COMPLETED)`);

      // Stopped by the operator, it stays stopped for the day unless asked again explicitly.
      const refused = await runCli(['runner', 'start'], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `${workflowId} was stopped by the operator and stays stopped for ${day}; \`npx trade runner start --day ${day} --restart\``,
      );
      expect((await client.workflow.getHandle(workflowId).describe()).status.name).toBe(
        'COMPLETED',
      );
      const restarted = await runCliJson<{ workflowId: string }>(
        ['runner', 'start', '--restart'],
        env,
      );
      expect(restarted.workflowId).toBe(workflowId);
      expect((await status()).status).toMatchObject({ day, stopped: false });
      await runCliJson(['runner', 'stop'], env);
      await client.workflow.getHandle(workflowId).result();
    });

    it('reports a runner that does not exist, and a malformed day', async () => {
      const missing = await runCli(['runner', 'status', '--day', '2000-01-03'], env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/runner-2000-01-03.*not found/);
      const bad = await runCli(['runner', 'start', '--day', 'today'], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--day');
    });
  });

  describe('kill', () => {
    it("latches the kill switch on the day's account book, starting the book if need be", async () => {
      // A day long past: its book finishes right after latching, so no later test inherits it.
      const result = await runCliJson<{ workflowId: string; reason: string; uiUrl: string }>(
        ['kill', '--day', '2000-01-03', '--reason', 'cli test'],
        env,
      );
      expect(result).toMatchObject({ workflowId: 'account-2000-01-03', reason: 'cli test' });
      expect(result.uiUrl).toBe(uiUrl('account-2000-01-03'));
      const book = (await client.workflow.getHandle(result.workflowId).result()) as AccountSummary;
      expect(book.killSwitch?.reason).toBe('cli test');
    });

    it('refuses a malformed day', async () => {
      const run = await runCli(['kill', '--day', 'yesterday'], env);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--day: expected an IST day as YYYY-MM-DD');
    });
  });

  describe('report', () => {
    it("counts the day's closed positions and links each", async () => {
      const workflowId = await rejectedPosition();
      const report = await eventually(
        () => runCliJson<DayReport & { links: Record<string, string> }>(['report'], env),
        (r) => workflowId in r.links,
      );
      expect(report.links[workflowId]).toBe(uiUrl(workflowId));
      expect(report.rejected).toBeGreaterThanOrEqual(1);
      expect(report.positions).toBeGreaterThanOrEqual(report.trades + report.rejected);
      const human = await runCli(['report'], env);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/rejected\s+\d+/);
      expect(human.stdout).toMatch(/win rate\s+/);
    });

    it('is empty for a day without positions, and refuses a malformed date', async () => {
      const empty = await runCliJson<DayReport>(['report', '--date', '2001-01-01'], env);
      expect(empty).toMatchObject({ positions: 0, trades: 0, winRate: null, netPnl: 0 });
      const bad = await runCli(['report', '--date', '01/02/2025'], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--date');
    });
  });

  it('says so when Temporal cannot be reached', async () => {
    const run = await runCli(['positions'], { ...env, TRADER__TEMPORAL__ADDRESS: '127.0.0.1:1' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot reach Temporal at 127.0.0.1:1');
  });
});
