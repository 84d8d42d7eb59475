import { Context, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { bookAtOneMoment } from '../adapters/kite/book-moment';
import type { KiteBroker } from '../adapters/kite/client';
import type { NetPositions } from '../adapters/kite/net-positions';
import { netHeld, type BrokerTrade } from '../adapters/kite/types';
import {
  fillsByOwner,
  heldAhead,
  heldAtBroker,
  ownFillsCover,
  type WorkflowHolding,
} from '../domain/holdings';
import { isSystemTag, tagPrefix } from '../domain/order-tag';
import { forceExitSignal, type Fill, type PositionState } from '../workflows/messages';
import { RUNNING_POSITIONS, type PositionStates } from './position-states';
import { FailureType } from './failure-types';
import { toActivityFailure } from './failures';
import {
  externalFillsSchema,
  forceExitAllSchema,
  parseInput,
  positionTruthSchema,
} from './validation';

export interface PositionTruthInput {
  tradingsymbol: string;
  product: string;
  /** The asking position, left out of the siblings. */
  workflowId: string;
  /** What it holds by its fills: when the broker shows as much as everyone records, no more is read. */
  held?: number;
  /** Its `tagPrefix`: when the order mirror shows every unit of the contract as ours, no sibling is asked. */
  owner?: string;
}

export interface PositionTruth {
  /** The broker's net units of the contract in this product; negative is a short. */
  brokerNet: number;
  /** Units the other running positions on the contract hold (or are entering with). */
  othersHeld: number;
  /** Units the others before the asking position in the exit order (by workflow id) hold. */
  aheadHeld: number;
  others: { workflowId: string; held: number }[];
}

export interface ExternalFillsInput {
  tradingsymbol: string;
  product: string;
  /** Units closed elsewhere, to be priced from the broker's trades. */
  quantity: number;
  /** Epoch ms of the entry: older trades cannot have closed this position. */
  since: number;
}

const FILL_STAMP_RESOLUTION_MS = 1_000;

/**
 * An exit asks its siblings on the contract all at once: asked one after
 * another, each sibling whose worker had just died added the wait for that
 * worker's sticky queue to the exit (bench/README.md, session 13).
 */
const SIBLING_QUERIES_IN_FLIGHT = 16;

/** What a position holds as its siblings must count it: its fills, or what it is entering with. */
export function holdingOf(workflowId: string, s: PositionState): WorkflowHolding | undefined {
  // A simulated position (signals-only) holds nothing at the broker.
  if (!s.contract || s.simulated) return undefined;
  const own = s.quantity - s.exitFills.reduce((sum, f) => sum + f.quantity, 0);
  const entering = s.phase === 'ENTERING' && s.quantity === 0 ? (s.entryRequested ?? 0) : own;
  const held = ['ENTERING', 'OPEN', 'EXITING'].includes(s.phase) ? entering : 0;
  return {
    workflowId,
    tradingsymbol: s.contract.tradingSymbol,
    product: s.contract.product ?? 'MIS',
    held,
    inFlux: s.phase === 'ENTERING' || s.phase === 'EXITING',
  };
}

const sumHeld = (holdings: readonly { held: number }[]) => holdings.reduce((s, o) => s + o.held, 0);

const truthOf = (
  brokerNet: number,
  siblings: PositionTruth['others'],
  aheadHeld: number,
): PositionTruth => {
  const others = siblings.filter((o) => o.held > 0);
  return { brokerNet, othersHeld: sumHeld(others), aheadHeld, others };
};

/**
 * Fills for units sold elsewhere, newest external trades first: SELLs of the
 * contract whose orders carry no tag of ours (the Kite app, Zerodha's auto
 * square-off). What no such trade covers is priced at the last price.
 */
export function externalFills(
  trades: readonly BrokerTrade[],
  orderTags: ReadonlyMap<string, string | null>,
  input: ExternalFillsInput,
  lastPrice: number,
): Fill[] {
  const candidates = trades
    .filter(
      (t) =>
        t.tradingsymbol === input.tradingsymbol &&
        t.product === input.product &&
        t.transactionType === 'SELL' &&
        // Kite stamps fills to the second: a sale in the entry's own second still counts.
        (t.filledAt ?? Infinity) >= input.since - FILL_STAMP_RESOLUTION_MS &&
        !isSystemTag(orderTags.get(t.orderId) ?? null),
    )
    .sort((a, b) => (b.filledAt ?? 0) - (a.filledAt ?? 0));
  const fills: Fill[] = [];
  let left = input.quantity;
  for (const t of candidates) {
    if (left <= 0) break;
    const quantity = Math.min(left, t.quantity);
    fills.push({
      orderId: t.orderId,
      tag: orderTags.get(t.orderId) ?? '',
      quantity,
      averagePrice: t.averagePrice,
      ...(t.filledAt !== undefined && { at: t.filledAt }),
      external: { priced: 'trades' },
    });
    left -= quantity;
  }
  if (left > 0)
    fills.push({
      orderId: 'external',
      tag: '',
      quantity: left,
      averagePrice: lastPrice,
      external: { priced: 'ltp' },
    });
  return fills;
}

export interface PositionActivityDeps {
  broker: KiteBroker;
  /** The worker's running positions and their last states read, shared with the reconciler. */
  states: PositionStates;
  netPositions?: Pick<NetPositions, 'viewOf'>;
}

export function createPositionActivities({ broker, states, netPositions }: PositionActivityDeps) {
  const brokerCall = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw toActivityFailure(err);
    }
  };

  /** The truth from the order mirror, when it shows all `held` as the position's own fills. */
  const fromMirror = async (
    tradingsymbol: string,
    product: string,
    held: number,
    owner: string,
  ): Promise<PositionTruth | undefined> => {
    // The net from the broker, not memory: an outside sale whose update was lost must still stop this round.
    const view = await netPositions?.viewOf(tradingsymbol, product, { netFromBroker: true });
    if (!view || !ownFillsCover({ quantity: held, owner, ...view })) return undefined;
    // The rest at the broker is the siblings' own fills, all counted ahead: this sells only its own.
    const others = view.net - (view.fills.owners.get(owner) ?? 0);
    return { brokerNet: view.net, othersHeld: others, aheadHeld: others, others: [] };
  };

  return {
    /**
     * Before every exit round: what the broker holds of the contract, and
     * what the siblings on it hold. When the worker's order mirror shows all
     * the position holds as its own fills against a fresh positions read
     * (`ownFillsCover`), that is the answer, with no sibling asked: a
     * square-off of every position costs no query. Otherwise the siblings' own states count what they have
     * recorded; when the broker shows less than that, the fills of their
     * tagged orders they have not recorded yet are counted from the order
     * book, so a sibling's sale in flight is not taken for a close elsewhere.
     */
    async readPositionTruth(input: PositionTruthInput): Promise<PositionTruth> {
      const { tradingsymbol, product, workflowId, held, owner } = parseInput(
        'readPositionTruth',
        positionTruthSchema,
        input,
      );
      const mine =
        held !== undefined && owner !== undefined
          ? await brokerCall(() => fromMirror(tradingsymbol, product, held, owner))
          : undefined;
      if (mine) return mine;
      const { taskQueue } = Context.current().info;
      // Siblings before the broker: a fill recorded after a state was read shows in the book read later.
      const siblings = (
        await states.running(
          { taskQueue, tradingsymbol, exclude: workflowId },
          { inFlight: SIBLING_QUERIES_IN_FLIGHT },
        )
      ).filter(({ workflowId: id, state }) => holdingOf(id, state)?.product === product);
      const brokerNet = netHeld(
        await brokerCall(() => broker.getPositions()),
        tradingsymbol,
        product,
      );
      const recorded = siblings.map(({ workflowId: id, state }) => ({
        workflowId: id,
        held: holdingOf(id, state)!.held,
      }));
      // The broker holds all everyone records: nobody is short, and this sells all it holds.
      if (held !== undefined && brokerNet >= held + sumHeld(recorded))
        return truthOf(brokerNet, recorded, sumHeld(recorded));
      const book = await brokerCall(() => bookAtOneMoment(broker, tradingsymbol, product));
      if (!book)
        throw ApplicationFailure.retryable(
          `${tradingsymbol} kept filling while the broker's book was read`,
          FailureType.BrokerAmbiguous,
        );
      const owners = fillsByOwner(book.orders, tradingsymbol, product).owners;
      const covers = (prefix: string, units: number) =>
        units > 0 && (owners.get(prefix) ?? 0) >= units;
      const inLine = siblings.map(({ workflowId: id, state }) => {
        const position = {
          tagPrefix: tagPrefix(id, state.tagScheme),
          tradingsymbol,
          product,
          entryFills: state.entryFills,
          exitFills: state.exitFills,
        };
        return {
          workflowId: id,
          covered: covers(position.tagPrefix, heldAtBroker(position, [])),
          held: heldAtBroker(position, book.orders),
        };
      });
      const me = {
        workflowId,
        covered: owner !== undefined && held !== undefined && covers(owner, held),
      };
      return truthOf(
        book.net,
        inLine.map(({ workflowId: id, held: units }) => ({ workflowId: id, held: units })),
        heldAhead(me, inLine),
      );
    },

    async externalCloseFills(input: ExternalFillsInput): Promise<Fill[]> {
      const request = parseInput('externalCloseFills', externalFillsSchema, input);
      const [trades, book] = await Promise.all([
        brokerCall(() => broker.getTrades()),
        brokerCall(() => broker.getOrders()),
      ]);
      const tags = new Map(book.map((o) => [o.orderId, o.tag]));
      const key = `NFO:${request.tradingsymbol}`;
      const ltp = (await brokerCall(() => broker.getLtp([key]))).get(key) ?? 0;
      const fills = externalFills(trades, tags, request, ltp);
      log.warn('position closed elsewhere', { ...request, fills });
      return fills;
    },
  };
}

/** Sends a force exit to every running position of the namespace; the ids it reached. */
export async function forceExitAll(
  client: Client,
  reason: string,
  onError: (workflowId: string, err: unknown) => void,
): Promise<string[]> {
  const signalled: string[] = [];
  for await (const info of client.workflow.list({ query: RUNNING_POSITIONS })) {
    await client.workflow
      .getHandle(info.workflowId)
      .signal(forceExitSignal, reason)
      .then(
        () => signalled.push(info.workflowId),
        (err: unknown) => onError(info.workflowId, err),
      );
  }
  return signalled;
}

/** What the account book needs to flatten: only Temporal, no broker. */
export function createFleetActivities({ client }: { client: Client }) {
  return {
    /** The kill switch and the loss breaker reach every running position, whatever day booked it. */
    async forceExitAllPositions(input: { reason: string }): Promise<{ signalled: string[] }> {
      const { reason } = parseInput('forceExitAllPositions', forceExitAllSchema, input);
      const signalled = await forceExitAll(client, reason, (workflowId, err) =>
        log.warn('could not signal position', { workflowId, error: String(err) }),
      );
      log.warn('force exit sent to every running position', { reason, count: signalled.length });
      return { signalled };
    },
  };
}

export type PositionActivities = ReturnType<typeof createPositionActivities> &
  ReturnType<typeof createFleetActivities>;
