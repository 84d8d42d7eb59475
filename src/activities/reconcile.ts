import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import type { KiteBroker } from '../adapters/kite/client';
import { isTerminal } from '../adapters/kite/types';
import { positionRulesFrom, tagSaltOf } from '../client/submit';
import type { Config } from '../config/schema';
import { compareHoldings, type HoldingRow } from '../domain/holdings';
import { UNDERLYINGS, type Underlying } from '../config/schema';
import { istDateOf } from '../domain/calendar';
import { specOf } from '../domain/instruments';
import { freezeQtyOn } from '../domain/market-facts';
import { tagPrefix } from '../domain/order-tag';
import {
  confirmRows,
  holdingKey,
  settledHoldings,
  staleOrders,
  type OpenOrder,
  type StaleOrder,
} from '../domain/reconcile';
import type { Contract, PositionRules, PositionState } from '../workflows/messages';
import { reconcilerWorkflowId } from '../workflows/reconciler-messages';
import { toActivityFailure } from './failures';
import type { PositionStates } from './position-states';
import { holdingOf } from './positions';

interface Snapshot {
  rows: HoldingRow[];
  running: { workflowId: string; state: PositionState }[];
}

/** What the reconciler follows; read from the workers' configuration at every run, so a change applies at once. */
export interface ReconcileSettings {
  orphanPolicy: Config['reconcile']['orphanPolicy'];
  gateEntries: boolean;
  /** The rules an adopted position runs under. */
  rules: PositionRules;
  /** Salt of this deployment's tags, for the reconciler's own flatten orders. */
  tagSalt: string;
}

export interface ReconcileRun {
  at: number;
  rows: HoldingRow[];
  staleOrders: StaleOrder[];
  /** Contracts of the rows a policy might act on, from the day's instruments dump. */
  contracts: Record<string, Contract & { underlying: Underlying }>;
  settings: ReconcileSettings;
}

/**
 * Positions read at once by a sweep. A read is a describe, answered by the
 * server alone; a worker is asked only for a position that changed. One at
 * a time, 2,000 positions took about 3 minutes on a busy dev server (90 ms
 * a describe), longer than the run interval (bench/README.md, session 15).
 */
const SWEEP_READS_IN_FLIGHT = 8;

/** A second read this long after the first confirms a row, so an order in flight is never an orphan. */
export const CONFIRM_AFTER_MS = 2_000;

export interface ReconcileActivityDeps {
  /** The worker's running positions and their last states read. */
  states: PositionStates;
  broker: KiteBroker;
  config: Config;
  confirmAfterMs?: number;
}

export function createReconcileActivities({
  states,
  broker,
  config,
  confirmAfterMs = CONFIRM_AFTER_MS,
}: ReconcileActivityDeps) {
  const brokerCall = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw toActivityFailure(err);
    }
  };

  /**
   * The broker's net positions and the running workflows' holdings, side by
   * side. A confirming read (`first` given) asks again only the positions on
   * contracts the first did not settle: a query of each position twice a
   * run was most of a worker's CPU at 1,000 positions (bench/README.md).
   */
  async function snapshot(first?: Snapshot): Promise<Snapshot> {
    const positions = (await brokerCall(() => broker.getPositions())).filter(
      (p) => p.quantity !== 0,
    );
    const settled = first ? settledHoldings(first.rows, positions) : new Set<string>();
    const earlier = new Map(first?.running.map((r) => [r.workflowId, r.state]));
    const known = (workflowId: string) => {
      const state = earlier.get(workflowId);
      const holding = state && holdingOf(workflowId, state);
      return holding && settled.has(holdingKey(holding)) ? state : undefined;
    };
    const running = await states.running(
      { taskQueue: config.temporal.taskQueue },
      { known, inFlight: SWEEP_READS_IN_FLIGHT, onRead: () => Context.current().heartbeat() },
    );
    const holdings = running.flatMap(({ workflowId, state }) => {
      const holding = holdingOf(workflowId, state);
      return holding ? [holding] : [];
    });
    return { rows: compareHoldings(positions, holdings), running };
  }

  async function contractsFor(rows: HoldingRow[]): Promise<ReconcileRun['contracts']> {
    const wanted = new Set(rows.filter((r) => r.difference !== 0).map((r) => r.tradingsymbol));
    if (wanted.size === 0) return {};
    const nfo = await brokerCall(() => broker.getInstruments('NFO'));
    const out: ReconcileRun['contracts'] = {};
    for (const i of nfo) {
      if (!wanted.has(i.tradingsymbol) || !UNDERLYINGS.includes(i.name as Underlying)) continue;
      const underlying = i.name as Underlying;
      const spec = specOf(underlying);
      out[i.tradingsymbol] = {
        underlying,
        token: i.token,
        tradingSymbol: i.tradingsymbol,
        optionType: i.instrumentType as Contract['optionType'],
        strike: i.strike,
        expiry: i.expiry ?? '',
        lotSize: i.lotSize,
        freezeQty: freezeQtyOn(underlying, istDateOf(Date.now())),
        underlyingToken: spec.indexToken,
      };
    }
    return out;
  }

  return {
    /**
     * One reconciliation: two snapshots `confirmAfterMs` apart (a row counts
     * only if both agree), the open orders nobody owns or that linger, and
     * the contracts an orphan policy would need.
     */
    async reconcileBook(): Promise<ReconcileRun> {
      const ctx = Context.current();
      const first = await snapshot();
      ctx.heartbeat();
      await sleep(confirmAfterMs, undefined, { signal: ctx.cancellationSignal });
      const second = await snapshot(first);
      const rows = confirmRows(first.rows, second.rows);
      const scheme = (s: (typeof second.running)[number]['state']) =>
        s.tagScheme ?? { version: 1 as const };
      const owners = new Map(
        second.running.map(({ workflowId, state }) => [
          tagPrefix(workflowId, scheme(state)),
          workflowId,
        ]),
      );
      const self = reconcilerWorkflowId(config.temporal.taskQueue);
      owners.set(tagPrefix(self, { version: 2, salt: tagSaltOf(config) }), self);
      const book = await brokerCall(() => broker.getOrders());
      const open: OpenOrder[] = book
        .filter((o) => !isTerminal(o.status))
        .map((o) => ({
          orderId: o.orderId,
          tag: o.tag,
          tradingsymbol: o.tradingsymbol,
          transactionType: o.transactionType,
          status: o.status,
          quantity: o.quantity,
          pendingQuantity: o.pendingQuantity,
          ...(o.placedAt !== undefined && { placedAt: o.placedAt }),
          ...(o.tag && owners.has(o.tag.slice(0, 13)) && { owner: owners.get(o.tag.slice(0, 13)) }),
        }));
      const at = Date.now();
      return {
        at,
        rows,
        staleOrders: staleOrders(open, at, config.reconcile.staleOrderMinutes),
        contracts: await contractsFor(rows),
        settings: {
          orphanPolicy: config.reconcile.orphanPolicy,
          gateEntries: config.reconcile.gateEntries,
          rules: positionRulesFrom(config),
          tagSalt: tagSaltOf(config),
        },
      };
    },
  };
}

export type ReconcileActivities = ReturnType<typeof createReconcileActivities>;
