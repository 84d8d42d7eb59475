import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { AccountActivities } from '../activities/account';
import type { ReconcileActivities, ReconcileRun } from '../activities/reconcile';
import { istDateOf } from '../domain/calendar';
import { Alerts, chainScope } from './alerts';
import { unsupervisedLong, type HoldingRow } from '../domain/holdings';
import { orderTag } from '../domain/order-tag';
import { entryGate, holdingKey, orphanKey } from '../domain/reconcile';
import type { Signal } from '../domain/signal';
import { sliceQuantity } from '../domain/sizing';
import { positionWorkflowId } from './messages';
import type { positionWorkflow } from './position';
import { exitBroker, orders, orderWaiter } from './proxies';
import {
  acknowledgeOrphansUpdate,
  reconcileNowUpdate,
  reconcilerStatusQuery,
  type ReconcileReport,
  type ReconcilerCarry,
  type ReconcilerInput,
  type ReconcilerStatus,
} from './reconciler-messages';
import { PhaseKey, StrategyKey, UnderlyingKey } from './search-attributes';

const reads = proxyActivities<ReconcileActivities & AccountActivities>({
  startToCloseTimeout: '2m',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 3 },
});

/** Runs per workflow run before it continues as new: each is a handful of events. */
const RUNS_PER_RUN = 200;
const RECENT_ACTIONS = 20;
/** A policy's action that has not shown in the book after this long is tried again. */
const ACTION_PATIENCE_MS = 5 * 60_000;
const FILL_TIMEOUT_S = 30;

const fresh = (): ReconcilerCarry => ({
  runs: 0,
  failures: 0,
  acknowledged: [],
  adopting: {},
  flattening: {},
  adoptions: 0,
  flattenAttempts: 0,
  recentActions: [],
  gate: { blocked: false, reason: 'not reconciled yet' },
});

/**
 * `reconciler-<taskQueue>`: at start and every `intervalSeconds`, compares
 * the broker's net positions and open orders with what the running position
 * workflows hold, reports orphans, phantoms, mismatches and stale orders,
 * applies the configured orphan policy (alert, adopt, flatten), and holds
 * new entries in the day's account book while the book is unexplained (when
 * `reconcile.gateEntries` is on) until an operator acknowledges.
 */
export async function reconcilerWorkflow(input: ReconcilerInput): Promise<void> {
  const state: ReconcilerCarry = input.carried ?? fresh();
  const alerts = new Alerts(chainScope(), (state.alertCounts ??= {}), true);
  let settings: ReconcileRun['settings'] | undefined;
  let wanted = 0;
  let served = 0;

  const status = (): ReconcilerStatus => ({
    ...state,
    orphanPolicy: settings?.orphanPolicy,
    gateEntries: settings?.gateEntries,
  });
  setHandler(reconcilerStatusQuery, status);
  setHandler(reconcileNowUpdate, async () => {
    const ticket = ++wanted;
    await condition(() => served >= ticket);
    return status();
  });
  setHandler(acknowledgeOrphansUpdate, async (by) => {
    const rows = state.last?.rows ?? [];
    state.acknowledged = rows.filter((r) => r.difference !== 0).map(orphanKey);
    log.warn('orphans acknowledged', { by, acknowledged: state.acknowledged });
    await applyGate();
    return status();
  });

  async function applyGate(): Promise<void> {
    state.gate = entryGate({
      failure: state.last?.error,
      rows: state.last?.rows ?? [],
      acknowledged: new Set(state.acknowledged),
      handling: new Set([...Object.keys(state.adopting), ...Object.keys(state.flattening)]),
    });
    if (!settings?.gateEntries) return;
    const day = istDateOf(Date.now());
    const sent = `${day}|${state.gate.blocked}|${state.gate.reason}`;
    if (sent === state.gateSent) return;
    try {
      await reads.setEntryGate({ day, ...state.gate });
      state.gateSent = sent;
    } catch (err) {
      log.warn('could not set the entry gate; trying again next run', { error: String(err) });
    }
  }

  for (let runs = 0; ; runs++) {
    if (runs >= RUNS_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await alerts.flush();
      await condition(allHandlersFinished);
      return continueAsNew<typeof reconcilerWorkflow>({ ...input, carried: state });
    }
    const ticket = wanted;
    state.last = await reconcileOnce(state, (s) => (settings = s));
    state.runs += 1;
    state.recentActions = [
      ...(state.recentActions ?? []),
      ...state.last.actions.map((action) => ({ at: state.last!.at, action })),
    ].slice(-RECENT_ACTIONS);
    await applyGate();
    alertOnChange(state, alerts);
    served = Math.max(served, ticket);
    await condition(() => wanted > served, input.intervalSeconds * 1000);
  }
}

/** One alert each time the set of disagreements changes to a new, non-empty one. */
function alertOnChange(state: ReconcilerCarry, alerts: Alerts): void {
  const problems = (state.last?.rows ?? []).filter(
    (r) => r.verdict !== 'OK' && r.verdict !== 'IN_FLUX',
  );
  const signature = problems.map((r) => `${r.verdict}:${holdingKey(r)}:${r.difference}`).join(',');
  if (signature === (state.alertedProblems ?? '')) return;
  state.alertedProblems = signature;
  if (problems.length === 0) return;
  alerts.send({
    kind: 'RECONCILE_MISMATCH',
    severity: problems.some((r) => unsupervisedLong(r) > 0) ? 'critical' : 'warning',
    title: `broker and positions disagree on ${problems.length} contract(s)`,
    text: problems
      .map(
        (r) =>
          `${r.verdict} ${r.tradingsymbol} ${r.product}: broker ${r.broker}, workflows ${r.owned}`,
      )
      .join('\n'),
    workflowId: workflowInfo().workflowId,
    fields: { gate: state.gate.blocked ? 'entries held' : 'entries allowed' },
  });
}

async function reconcileOnce(
  state: ReconcilerCarry,
  onSettings: (s: ReconcileRun['settings']) => void,
): Promise<ReconcileReport> {
  let run: ReconcileRun;
  try {
    run = await reads.reconcileBook();
  } catch (err) {
    state.failures += 1;
    const error = String((err as Error).cause ?? err);
    log.error('reconciliation failed', { error });
    return { at: Date.now(), error, rows: [], staleOrders: [], actions: [] };
  }
  onSettings(run.settings);
  forgetSettled(state, run.rows);
  const actions: string[] = [];
  for (const row of run.rows) {
    if (row.verdict === 'OK' || row.verdict === 'IN_FLUX') continue;
    log.error(`reconciliation: ${row.verdict.toLowerCase()}`, { ...row });
    const units = unsupervisedLong(row);
    if (units === 0) continue;
    const action = await applyPolicy(state, run, row, units);
    if (action) actions.push(action);
  }
  for (const o of run.staleOrders) log.warn('reconciliation: stale open order', { ...o });
  return { at: run.at, rows: run.rows, staleOrders: run.staleOrders, actions };
}

/** An adoption or a flatten is done once the book shows the contract supervised or flat. */
function forgetSettled(state: ReconcilerCarry, rows: readonly HoldingRow[]): void {
  const unsupervised = new Set(
    rows.filter((r) => unsupervisedLong(r) > 0).map((r) => holdingKey(r)),
  );
  const now = Date.now();
  for (const book of [state.adopting, state.flattening]) {
    for (const [key, { at }] of Object.entries(book)) {
      if (!unsupervised.has(key) || now - at > ACTION_PATIENCE_MS) delete book[key];
    }
  }
}

async function applyPolicy(
  state: ReconcilerCarry,
  run: ReconcileRun,
  row: HoldingRow,
  units: number,
): Promise<string | undefined> {
  const key = holdingKey(row);
  const policy = run.settings.orphanPolicy;
  if (policy === 'alert' || state.adopting[key] || state.flattening[key]) return undefined;
  const contract = run.contracts[row.tradingsymbol];
  if (!contract) {
    log.error('reconciliation: no instrument for the orphan; alerting only', { key });
    return `${key}: ${policy} impossible, no instrument in the dump; alert only`;
  }
  if (policy === 'adopt') {
    const day = istDateOf(Date.now());
    const signalId = `adopted-${day}-${row.tradingsymbol}-${row.product}-${++state.adoptions}`;
    const signal: Signal = {
      id: signalId,
      underlying: contract.underlying,
      direction: contract.optionType === 'CE' ? 'LONG' : 'SHORT',
      strategy: 'reconciler',
      strength: 10,
      expectedMovePct: 1,
      createdAt: new Date(Date.now()).toISOString(),
    };
    const workflowId = positionWorkflowId(signalId);
    const { underlying: _underlying, ...positionContract } = contract;
    await startChild<typeof positionWorkflow>('positionWorkflow', {
      workflowId,
      args: [
        {
          signal,
          rules: {
            ...run.settings.rules,
            entry: { ...run.settings.rules.entry, product: row.product as 'MIS' | 'NRML' },
          },
          adopt: {
            contract: { ...positionContract, product: row.product as 'MIS' | 'NRML' },
            quantity: units,
            averagePrice: row.averagePrice,
          },
        },
      ],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: UnderlyingKey, value: contract.underlying },
        { key: StrategyKey, value: 'reconciler' },
        { key: PhaseKey, value: 'RESERVING' },
      ],
    });
    state.adopting[key] = { workflowId, at: Date.now() };
    log.warn('reconciliation adopted an orphan', { key, units, workflowId });
    return `${key}: adopted ${units} as ${workflowId}`;
  }
  const attempt = state.flattenAttempts++;
  state.flattening[key] = { attempt, at: Date.now() };
  const scheme = { version: 2 as const, salt: run.settings.tagSalt };
  const self = workflowInfo().workflowId;
  const sold = await Promise.all(
    sliceQuantity(units, contract.lotSize, contract.freezeQty).map(async (quantity, slice) => {
      try {
        const { orderId } = await exitBroker.placeOrder({
          tag: orderTag(self, 'EXIT', attempt, slice, scheme),
          tradingsymbol: row.tradingsymbol,
          exchange: 'NFO',
          transactionType: 'SELL',
          quantity,
          product: row.product as 'MIS' | 'NRML',
          orderType: 'MARKET',
          marketProtection: run.settings.rules.entry.marketProtection,
        });
        const done = await orderWaiter(FILL_TIMEOUT_S).awaitOrder({
          orderId,
          timeoutSeconds: FILL_TIMEOUT_S,
        });
        // A remainder left working could sell twice once the next run sizes the orphan again.
        const final = done.pendingQuantity > 0 ? await orders.cancelOrder({ orderId }) : done;
        return final.filledQuantity;
      } catch (err) {
        log.error('reconciliation could not flatten a slice', { key, slice, error: String(err) });
        return 0;
      }
    }),
  );
  const filled = sold.reduce((s, q) => s + q, 0);
  log.warn('reconciliation flattened an orphan', { key, units, filled });
  return `${key}: flattened ${filled} of ${units}`;
}
