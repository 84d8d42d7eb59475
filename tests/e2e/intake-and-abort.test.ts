import pino from 'pino';
import { startWebhook, type RunningWebhook } from '../../src/client/webhook';
import { submitSignal } from '../../src/client/submit';
import { istDateOf } from '../../src/domain/calendar';
import { isTickMultiple } from '../../src/domain/money';
import {
  accountSummaryQuery,
  accountWorkflowId,
  forceExitSignal,
} from '../../src/workflows/messages';
import { cliEnv, runCliJson } from '../client/run-cli';
import { netAtBroker, ordersAtBroker } from '../harness/broker-book';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import {
  expectMatchesExchange,
  newSignal,
  waitForPhase,
  waitForState,
  type PositionHandle,
} from '../harness/positions';
import { schemeFor, tagsOf } from '../harness/tags';

const spotOf = async (stack: PaperStack): Promise<number> => {
  const res = await fetch(`${stack.exchange.restUrl}/_control/spots`);
  return ((await res.json()) as { data: { NIFTY: number } }).data.NIFTY;
};

/** Orders the exchange holds under one position's tags: none, when nothing was bought. */
const ordersOf = async (stack: PaperStack, workflowId: string) => {
  const { prefix } = tagsOf(workflowId, schemeFor(stack.config));
  return (await ordersAtBroker(stack)).filter((o) => o.tag?.startsWith(prefix));
};

describe('signal intake: odd and wrong-side index levels (webhook, paper stack)', () => {
  let stack: PaperStack;
  let webhook: RunningWebhook;
  beforeAll(async () => {
    stack = await startPaperStack();
    webhook = await startWebhook({
      config: { ...stack.config, webhook: { ...stack.config.webhook, port: 0 } },
      client: stack.client,
      secret: undefined,
      logger: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await webhook.close();
    await stack.stop();
  });
  afterEach(async () => {
    await stack.control.unpinAll();
    await stack.resetAccount();
  });

  const post = async (body: unknown) => {
    const res = await fetch(`${webhook.url}/signal`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('rounds an index stop between ticks toward the spot, supervises it and exits on it', async () => {
    const spot = await spotOf(stack);
    const level = Math.floor(spot - 20) + 0.37;
    const sent = newSignal({ exits: { stopLoss: { underlyingLevel: level } } });
    const { status, body } = await post(sent);
    expect(status).toBe(202);
    const handle = stack.client.workflow.getHandle(body.workflowId as string) as PositionHandle;
    const open = await waitForPhase(handle, 'OPEN');
    const stop = open.exits!.underlying!.stopLoss!;
    // A LONG's stop sits below the index: it rounds up, toward the spot, to the next tick.
    expect(isTickMultiple(stop)).toBe(true);
    expect(stop).toBeCloseTo(Math.floor(spot - 20) + 0.4, 2);
    await stack.control.setSpot('NIFTY', stop - 0.5);
    const summary = await handle.result();
    expect(summary.exitReason).toBe('UNDERLYING_STOP');
    await expectMatchesExchange(stack, await waitForPhase(handle, 'CLOSED'), summary);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });

  it('refuses at intake, naming the field, a stop on the wrong side of the reference price', async () => {
    const spot = await spotOf(stack);
    const sent = newSignal({
      referencePrice: spot,
      exits: { stopLoss: { underlyingLevel: spot + 100 } },
    });
    const { status, body } = await post(sent);
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      expect.stringMatching(/^exits\.stopLoss\.underlyingLevel: expected a level below the index/),
    ]);
    await expect(stack.client.workflow.getHandle(`pos-${sent.id}`).describe()).rejects.toThrow(
      /not found/i,
    );
  });

  it('rejects, naming the field and buying nothing, a wrong-side level the intake could not see', async () => {
    const spot = await spotOf(stack);
    const sent = newSignal({ exits: { target: { underlyingLevel: spot - 200 } } });
    const { status, body } = await post(sent);
    expect(status).toBe(202);
    const handle = stack.client.workflow.getHandle(body.workflowId as string) as PositionHandle;
    const summary = await handle.result();
    expect(summary.outcome).toBe('REJECTED');
    expect(summary.reasons).toEqual([
      expect.stringMatching(/^exits\.target\.underlyingLevel: expected a level above the index/),
    ]);
    expect(await ordersOf(stack, handle.workflowId)).toEqual([]);
  });
});

describe('a kill switch, a force exit or a cancel before the entry order aborts it (no BUY)', () => {
  let stack: PaperStack;
  beforeAll(async () => {
    stack = await startPaperStack();
  });
  afterAll(() => stack.stop());
  afterEach(async () => {
    await stack.control.clearFaults();
    await stack.resetAccount();
  });

  /**
   * The chain's quotes fail slowly, so its activity keeps retrying in
   * SELECTING (five attempts over about 40 s) until the test clears the
   * faults: the position is stopped there, not raced there.
   */
  async function selecting(): Promise<PositionHandle> {
    await stack.control.injectFaults({
      latencyMs: 5_000,
      failRequests: { count: 100_000, status: 500, route: 'GET /quote' },
    });
    const { handle } = await submitSignal(stack.client, stack.config, newSignal());
    await waitForPhase(handle, 'SELECTING');
    return handle;
  }

  /** Until the position's history holds this force exit, however long the CLI took to start. */
  async function signalled(handle: PositionHandle, reason: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { events } = await handle.fetchHistory();
      const got = (events ?? []).some((e) => {
        const signal = e.workflowExecutionSignaledEventAttributes;
        const data = signal?.input?.payloads?.[0]?.data;
        return (
          signal?.signalName === forceExitSignal.name &&
          data != null &&
          Buffer.from(data).toString().includes(reason)
        );
      });
      if (got) return;
      if (Date.now() > deadline) throw new Error(`${handle.workflowId} never heard "${reason}"`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function expectAborted(handle: PositionHandle, reason: RegExp) {
    const summary = await handle.result();
    expect(summary.reasons).toEqual([expect.stringMatching(reason)]);
    expect(summary.outcome).toBe('REJECTED');
    await stack.control.clearFaults();
    expect(await ordersOf(stack, handle.workflowId)).toEqual([]);
    const book = await stack.client.workflow
      .getHandle(accountWorkflowId(istDateOf(Date.now())))
      .query(accountSummaryQuery);
    expect(book.openPositions).not.toContain(handle.workflowId.replace(/^pos-/, ''));
  }

  it('the kill switch from the CLI during SELECTING', async () => {
    const handle = await selecting();
    await runCliJson(['kill', '--reason', 'e2e panic'], cliEnv(stack.config));
    await signalled(handle, 'kill switch: e2e panic');
    await stack.control.clearFaults();
    await expectAborted(handle, /^entry aborted before any order: kill switch: e2e panic/);
  });

  it('a force exit during SELECTING', async () => {
    const handle = await selecting();
    await handle.signal(forceExitSignal, 'changed my mind');
    await stack.control.clearFaults();
    await expectAborted(handle, /^entry aborted before any order: changed my mind/);
  });

  it('a cancel (the Web UI button) during SELECTING', async () => {
    const handle = await selecting();
    await handle.cancel();
    await stack.control.clearFaults();
    await expectAborted(handle, /^entry aborted before any order: workflow cancelled/);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });
});

describe('a cancel is a force exit: the position is sold and closed, never left held', () => {
  let stack: PaperStack;
  beforeAll(async () => {
    stack = await startPaperStack();
  });
  afterAll(() => stack.stop());
  afterEach(async () => {
    await stack.control.clearFaults();
    await stack.resetAccount();
  });

  const opened = async () => {
    const { handle } = await submitSignal(stack.client, stack.config, newSignal());
    return { handle, state: await waitForPhase(handle, 'OPEN') };
  };

  it('handle.cancel() of an OPEN position, as the Web UI does', async () => {
    const { handle } = await opened();
    await handle.cancel();
    const summary = await handle.result();
    expect(summary.exitReason).toBe('FORCE_EXIT');
    await expectMatchesExchange(stack, await waitForPhase(handle, 'CLOSED'), summary);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });

  it('`temporal workflow cancel` from the Temporal CLI', async () => {
    const { handle, state } = await opened();
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(
      process.env.TEMPORAL_CLI_PATH!,
      [
        'workflow',
        'cancel',
        '--workflow-id',
        handle.workflowId,
        '--namespace',
        stack.config.temporal.namespace,
        '--address',
        stack.config.temporal.address,
      ],
      { encoding: 'utf8' },
    );
    expect(run.status).toBe(0);
    const summary = await handle.result();
    expect(summary.exitReason).toBe('FORCE_EXIT');
    await expectMatchesExchange(stack, await waitForPhase(handle, 'CLOSED'), summary);
    expect(await netAtBroker(stack, state.contract!.tradingSymbol)).toBe(0);
  });

  it('a cancel while the exit is blocked still ends flat once the broker takes the order', async () => {
    const { handle, state } = await opened();
    await stack.control.injectFaults({ rejectOrders: { count: 100, reason: 'RMS: e2e block' } });
    await handle.signal(forceExitSignal, 'e2e');
    await waitForState(handle, (s) => s.phase === 'EXITING' && s.exitBlocked !== undefined);
    await handle.cancel();
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect(await netAtBroker(stack, state.contract!.tradingSymbol)).toBe(state.quantity);
    await stack.control.clearFaults();
    const summary = await handle.result();
    expect(summary.exitReason).toBe('FORCE_EXIT');
    expect(await netAtBroker(stack, state.contract!.tradingSymbol)).toBe(0);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });
});
