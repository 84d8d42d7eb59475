import type { Config } from '../../src/config';
import { submitSignal } from '../../src/client/submit';
import { forceExitSignal, positionStateQuery } from '../../src/workflows/messages';
import {
  reconcilerWorkflowId,
  type ReconcilerStatus,
} from '../../src/workflows/reconciler-messages';
import { cliEnv, runCli } from '../client/run-cli';
import { buyAtBroker, netAtBroker, sellAtBroker } from '../harness/broker-book';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import { newSignal, waitForPhase, type PositionHandle } from '../harness/positions';

type Policy = Config['reconcile']['orphanPolicy'];

/** `trade reconcile [--ack] --json` as an operator runs it: its status and exit code. */
async function reconcile(stack: PaperStack, ...args: string[]) {
  // The CLI starts the reconciler if need be; once an hour, so each step sees only its own runs.
  const env = { ...cliEnv(stack.config), TRADER__RECONCILE__INTERVAL_SECONDS: '3600' };
  const run = await runCli(['reconcile', ...args, '--json'], env);
  if (!run.stdout.trim()) throw new Error(`trade reconcile exited ${run.code}: ${run.stderr}`);
  return { code: run.code, status: JSON.parse(run.stdout) as ReconcilerStatus };
}

/** A NIFTY call the exchange lists today, for a trade nobody's workflow made. */
async function someContract(stack: PaperStack): Promise<string> {
  const nfo = (await stack.kite.getInstruments('NFO')) as unknown as Array<{
    name: string;
    tradingsymbol: string;
    instrument_type: string;
  }>;
  return nfo.find((i) => i.name === 'NIFTY' && i.instrument_type === 'CE')!.tradingsymbol;
}

async function withPolicy(
  orphanPolicy: Policy,
  body: (stack: PaperStack) => Promise<void>,
): Promise<void> {
  const stack = await startPaperStack({
    overrides: (c) => ({
      ...c,
      reconcile: { ...c.reconcile, orphanPolicy, gateEntries: true },
    }),
  });
  try {
    // The reconciler's first run, before the test trades: its later runs see only the test's doing.
    await reconcile(stack);
    await body(stack);
  } finally {
    await stack.client.workflow
      .getHandle(reconcilerWorkflowId(stack.config.temporal.taskQueue))
      .terminate('test done')
      .catch(() => undefined);
    await stack.stop();
  }
}

describe('trade reconcile: the broker book against the running positions', () => {
  it('alert: finds an orphan placed at the exchange, holds entries until acknowledged', () =>
    withPolicy('alert', async (stack) => {
      const symbol = await someContract(stack);
      await buyAtBroker(stack, symbol, 65);
      const found = await reconcile(stack);
      expect(found.code).toBe(1);
      expect(found.status.last?.rows).toEqual([
        expect.objectContaining({
          verdict: 'ORPHAN',
          tradingsymbol: symbol,
          broker: 65,
          owned: 0,
          difference: 65,
        }),
      ]);
      expect(found.status.gate).toMatchObject({ blocked: true });
      expect(found.status.gate.reason).toContain(`${symbol} MIS +65`);

      const held = await submitSignal(stack.client, stack.config, newSignal());
      expect((await held.handle.result()).reasons).toEqual([
        expect.stringContaining('entries are held by reconciliation'),
      ]);

      const acked = await reconcile(stack, '--ack');
      expect(acked.code).toBe(0);
      expect(acked.status.gate.blocked).toBe(false);
      const allowed = await submitSignal(stack.client, stack.config, newSignal());
      await waitForPhase(allowed.handle, 'OPEN');
      await allowed.handle.signal(forceExitSignal, 'done');
      await allowed.handle.result();
      // Alert only: the orphan is still at the broker, untouched.
      expect(await netAtBroker(stack, symbol)).toBe(65);
    }));

  it('adopt: starts a supervised position at the broker average, which then exits flat', () =>
    withPolicy('adopt', async (stack) => {
      const symbol = await someContract(stack);
      await buyAtBroker(stack, symbol, 65);
      const { status } = await reconcile(stack);
      expect(status.last?.actions).toEqual([
        expect.stringMatching(new RegExp(`^${symbol}\\|MIS: adopted 65 as pos-adopted-`)),
      ]);
      const workflowId = status.last!.actions[0].split(' as ')[1];
      const handle = stack.client.workflow.getHandle(workflowId) as PositionHandle;
      const open = await waitForPhase(handle, 'OPEN');
      const brokerAverage = status.last!.rows[0].averagePrice;
      expect(open).toMatchObject({ quantity: 65, entryPrice: brokerAverage });
      expect(open.exits!.stopLoss).toBeLessThan(brokerAverage);

      const after = await reconcile(stack);
      expect(after.code).toBe(0);
      expect(after.status.last!.rows.filter((r) => r.verdict !== 'OK')).toEqual([]);
      await handle.signal(forceExitSignal, 'done');
      expect((await handle.result()).exitReason).toBe('FORCE_EXIT');
      expect(await netAtBroker(stack, symbol)).toBe(0);
    }));

  it('flatten: sells the orphan with its own tags, and never more than the broker holds', () =>
    withPolicy('flatten', async (stack) => {
      const symbol = await someContract(stack);
      await buyAtBroker(stack, symbol, 130);
      const { status } = await reconcile(stack);
      expect(status.last?.actions).toEqual([`${symbol}|MIS: flattened 130 of 130`]);
      expect(await netAtBroker(stack, symbol)).toBe(0);
      const again = await reconcile(stack);
      expect(again.status.last!.actions).toEqual([]);
      expect(await netAtBroker(stack, symbol)).toBe(0);
    }));

  it('reports a phantom (closed elsewhere) and an unowned working order', () =>
    withPolicy('alert', async (stack) => {
      const { handle } = await submitSignal(stack.client, stack.config, newSignal());
      const state = await waitForPhase(handle, 'OPEN');
      const symbol = state.contract!.tradingSymbol;
      await sellAtBroker(stack, symbol, state.quantity);
      const { order_id: resting } = await stack.kite.placeOrder('regular', {
        exchange: 'NFO',
        tradingsymbol: symbol,
        transaction_type: 'BUY',
        quantity: 65,
        product: 'MIS',
        order_type: 'LIMIT',
        price: 0.05,
        validity: 'DAY',
      });
      const { status } = await reconcile(stack);
      expect(status.last!.rows).toEqual([
        expect.objectContaining({
          verdict: 'PHANTOM',
          tradingsymbol: symbol,
          broker: 0,
          owned: state.quantity,
          workflows: [handle.workflowId],
        }),
      ]);
      expect(status.last!.staleOrders).toEqual([
        expect.objectContaining({ orderId: resting, why: 'unowned' }),
      ]);
      // A phantom is no unsupervised quantity: entries stay open.
      expect(status.gate.blocked).toBe(false);
      await stack.kite.cancelOrder('regular', resting);
      await handle.signal(forceExitSignal, 'done');
      expect((await handle.result()).exitReason).toBe('EXTERNAL_CLOSE');
      expect((await handle.query(positionStateQuery)).phase).toBe('CLOSED');
    }));
});
