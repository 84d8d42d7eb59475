import { isCancellation, log, patched, sleep } from '@temporalio/workflow';
import { istDateOf } from '../domain/calendar';
import { chooseExpiry } from '../domain/expiry';
import { specOf } from '../domain/instruments';
import { freezeQtyOn } from '../domain/market-facts';
import { averagePrice } from '../domain/pnl';
import { indexLevelProblem } from '../domain/signal';
import { sizePosition } from '../domain/sizing';
import { selectStrike } from '../domain/strike';
import type { OptionChainResult } from '../activities/quotes';
import { validateSignal } from '../domain/validation';
import { localMarketData, marketData } from './proxies';
import { reserveSlot } from './position-account';
import type { Contract, Fill } from './messages';
import type { PositionContext } from './position-context';
import { describeFailure } from './position-recovery';
import { placeSlices } from './position-orders';
import { planExits } from './position-supervise';

/** A position the broker already holds (reconciliation's `adopt` policy): it starts OPEN. */
export interface Adoption {
  contract: Contract;
  quantity: number;
  /** The broker's average price, taken as the entry. */
  averagePrice: number;
}

export type Early = { outcome: 'REJECTED' | 'ENTRY_FAILED'; reasons: string[] };

/** Signal index levels on the wrong side of the spot the chain was priced at. */
function indexLevelProblems(ctx: PositionContext, spot: number): string[] {
  const exits = ctx.signal.exits;
  return (['stopLoss', 'target'] as const).flatMap((kind) => {
    const level = exits?.[kind]?.underlyingLevel;
    const problem =
      level === undefined ? undefined : indexLevelProblem(ctx.state.direction, kind, level, spot);
    return problem ? [`exits.${kind}.underlyingLevel: ${problem}, got ${level}`] : [];
  });
}

/** The option chain to pick from; a broker that cannot answer ends the entry, it never fails the workflow. */
async function optionChain(
  ctx: PositionContext,
  expiriesFrom: typeof marketData,
  chainFrom: typeof marketData,
): Promise<OptionChainResult | Early> {
  const { signal, rules } = ctx;
  try {
    const { expiries } = await expiriesFrom.listExpiries({ underlying: signal.underlying });
    const expiry = chooseExpiry(expiries, istDateOf(Date.now()), rules.entry.expiryDayRule);
    if (!expiry)
      return {
        outcome: 'REJECTED',
        reasons: [`no listed ${signal.underlying} expiry on or after today`],
      };
    return await chainFrom.getOptionChain({
      underlying: signal.underlying,
      expiry,
      strikesAround: rules.strikesAroundSpot,
    });
  } catch (err) {
    if (isCancellation(err)) throw err;
    return { outcome: 'ENTRY_FAILED', reasons: [`option chain: ${describeFailure(err)}`] };
  }
}

const early = (x: object): x is Early => 'outcome' in x;

/**
 * Reads that took longer than this let the messages sent meanwhile be heard
 * before the entry order, at the cost of a timer: a slow broker is when an
 * operator reaches for a force exit. Shorter ones keep the order in the
 * workflow task the signal started.
 */
const SLOW_READS_MS = 250;

type Reserved = { reservation: { granted: number }; chain: OptionChainResult };

/**
 * The slot and the chain, each read after the other with the chain as a
 * scheduled activity: how entries ran before the reads went beside the
 * reservation. Kept for the histories of workflows started then.
 */
async function reserveThenRead(
  ctx: PositionContext,
  fairShare: number,
  localExpiries: boolean,
): Promise<Reserved | Early> {
  const reservation = await reserveSlot(ctx, fairShare, false);
  if (early(reservation)) return reservation;
  if (ctx.forceExitReason) return aborted(ctx);
  ctx.setPhase('SELECTING');
  const chain = await optionChain(ctx, localExpiries ? localMarketData : marketData, marketData);
  return early(chain) ? chain : { reservation, chain };
}

/**
 * The reservation and the chain read at once, both local activities, so the
 * entry order is decided in the workflow task the signal started and leaves
 * as it completes: one round trip through the server's queues between the
 * signal and the order, not three. Messages reach a workflow between its
 * tasks, so a force exit or kill switch sent while the reads run is heard
 * once the order is in, and sells what it bought. Reads slower than
 * SLOW_READS_MS end the task before any order instead, so such a message is
 * heard first. Workflow time after a local activity is its completion time,
 * recorded in its marker, so the test replays the same.
 */
async function reserveWhileReading(
  ctx: PositionContext,
  fairShare: number,
): Promise<Reserved | Early> {
  const startedAt = Date.now();
  // Settled into a value, so a cancellation of the read waits for the reservation, whose
  // slot must be known before it can be given back.
  const reading = optionChain(ctx, localMarketData, localMarketData).then(
    (chain) => ({ chain }),
    (error: unknown) => ({ error }),
  );
  const reservation = await reserveSlot(ctx, fairShare, false);
  if (!early(reservation)) ctx.setPhase('SELECTING');
  const read = await reading;
  if ('error' in read) throw read.error;
  if (Date.now() - startedAt > SLOW_READS_MS) await sleep(1);
  if (early(reservation)) return reservation;
  if (ctx.forceExitReason) return aborted(ctx);
  return early(read.chain) ? read.chain : { reservation, chain: read.chain };
}

/**
 * VALIDATING through SELECTING: nothing is at the broker yet, so any refusal
 * or failure here releases the slot and ends the position with its reason.
 * Returns undefined once the entry is decided (phase ENTERING, contract and
 * size recorded), or the reasons it never will be. A force exit or a kill
 * switch heard by then aborts the entry before anything is bought (when one
 * is heard: reserveWhileReading).
 */
export async function decideEntry(ctx: PositionContext): Promise<Early | undefined> {
  const { signal, rules } = ctx;
  if (ctx.forceExitReason) return aborted(ctx);
  const verdict = validateSignal(signal, Date.now(), rules.signals, rules.session);
  if (!verdict.ok) return { outcome: 'REJECTED', reasons: verdict.reasons };

  const spec = specOf(signal.underlying);
  const fairShare =
    (rules.risk.capital * rules.risk.maxCapitalInUsePct) / 100 / rules.risk.maxOpenPositions;
  // Patched, and asked before any local activity has resolved: a worker that replays a
  // history whose workflow task was heartbeated while that activity ran reaches the call
  // before it has been told of the marker, and takes the old branch. Entries recorded
  // before the reads went beside the reservation replay it first and read the chain
  // through a scheduled activity; those recorded before the expiries read went local
  // replay that activity too.
  const reserved = patched('reads-beside-reservation')
    ? await reserveWhileReading(ctx, fairShare)
    : await reserveThenRead(ctx, fairShare, patched('local-reads-before-entry'));
  if (early(reserved)) return reserved;
  const { reservation, chain } = reserved;
  const levelProblems = indexLevelProblems(ctx, chain.spot);
  if (levelProblems.length > 0) return { outcome: 'REJECTED', reasons: levelProblems };
  const selection = selectStrike(chain, signal.direction, rules.entry.strike);
  if (!selection.ok) return { outcome: 'REJECTED', reasons: [selection.message] };
  const quote = selection.quote;
  // Kite publishes no freeze limits: they come from NSE's circulars, by trade date.
  const freezeQty = freezeQtyOn(signal.underlying, istDateOf(Date.now()));
  const plan = planExits(ctx, quote.ask);
  const sizing = sizePosition({
    rule: rules.entry.sizing,
    premium: quote.ask,
    lotSize: quote.lotSize,
    freezeQty,
    capital: rules.risk.capital,
    availableMargin: reservation.granted,
    stopDistance: quote.ask - plan.stopLoss,
  });
  if (!sizing.ok) return { outcome: 'REJECTED', reasons: [sizing.message] };
  ctx.state.contract = {
    token: quote.token,
    tradingSymbol: quote.tradingSymbol,
    optionType: quote.optionType,
    strike: quote.strike,
    expiry: quote.expiry,
    lotSize: quote.lotSize,
    freezeQty,
    underlyingToken: spec.indexToken,
    product: rules.entry.product,
  };
  ctx.setTradingSymbol(quote.tradingSymbol);
  if (ctx.forceExitReason) return aborted(ctx);
  ctx.state.entryRequested = sizing.quantity;
  ctx.state.quotedEntry = quote.ask;
  ctx.setPhase('ENTERING', {
    tradingSymbol: quote.tradingSymbol,
    quantity: sizing.quantity,
    slices: sizing.slices,
  });
  return undefined;
}

const aborted = (ctx: PositionContext): Early => ({
  outcome: 'REJECTED',
  reasons: [`entry aborted before any order: ${ctx.forceExitReason}`],
});

/** The position holds `fills`: the exit plan is drawn from their average price and supervision starts. */
function open(ctx: PositionContext, fills: Fill[]): void {
  ctx.state.entryFills = fills;
  ctx.state.quantity = fills.reduce((s, f) => s + f.quantity, 0);
  ctx.state.entryPrice = averagePrice(
    fills.map((f) => ({ quantity: f.quantity, price: f.averagePrice })),
  );
  ctx.state.exits = planExits(ctx, ctx.state.entryPrice!);
  ctx.state.stopHistory.push(ctx.state.exits.stopLoss);
  ctx.state.openedAt = Date.now();
  ctx.attentionResolved();
  ctx.setPhase('OPEN', {
    quantity: ctx.state.quantity,
    entryPrice: ctx.state.entryPrice,
    exits: ctx.state.exits,
  });
  const { contract, exits } = ctx.state;
  ctx.alerts.send({
    kind: 'ENTRY_FILLED',
    severity: 'info',
    title: `bought ${ctx.state.quantity} ${contract!.tradingSymbol} at ${ctx.state.entryPrice}`,
    text: `${ctx.signal.strategy} ${ctx.signal.direction} on ${ctx.signal.underlying}.`,
    workflowId: ctx.workflowId,
    positionId: ctx.state.positionId,
    fields: { stopLoss: exits!.stopLoss, target: exits!.target },
  });
}

/**
 * ENTERING: the entry order's slices from placement to final fill. Safe to
 * run again after a cancellation or a failure (the tags are fixed, so each
 * slice adopts what an earlier run placed). Returns the reasons when
 * nothing filled, so the slot can be released.
 */
export async function settleEntry(ctx: PositionContext): Promise<Early | undefined> {
  const filled = () => ctx.state.entryFills.reduce((s, f) => s + f.quantity, 0);
  let rejections: string[];
  // A round refused for the freeze limit goes out again, sliced smaller, under the next attempt's tags.
  for (;;) {
    const attempt = ctx.state.entryAttempts ?? 0;
    const round = await placeSlices(ctx, 'ENTRY', attempt, ctx.state.entryRequested! - filled());
    ctx.state.entryFills.push(...round.fills);
    rejections = round.rejections;
    if (!round.resliced || filled() >= ctx.state.entryRequested! || ctx.forceExitReason) break;
    ctx.state.entryAttempts = attempt + 1;
  }
  if (ctx.state.entryFills.length === 0)
    return {
      outcome: 'ENTRY_FAILED',
      reasons: rejections.length > 0 ? rejections : ['entry order did not fill'],
    };
  open(ctx, ctx.state.entryFills);
  return undefined;
}

/** Reconciliation found this quantity at the broker with no workflow: supervise it from its average price. */
export async function adoptPosition(
  ctx: PositionContext,
  adoption: Adoption,
): Promise<Early | undefined> {
  const reservation = await reserveSlot(ctx, adoption.quantity * adoption.averagePrice, true);
  if (early(reservation)) return reservation;
  ctx.state.contract = adoption.contract;
  ctx.setTradingSymbol(adoption.contract.tradingSymbol);
  log.warn('adopting a position the broker holds with no workflow', {
    positionId: ctx.state.positionId,
    tradingSymbol: adoption.contract.tradingSymbol,
    quantity: adoption.quantity,
    averagePrice: adoption.averagePrice,
  });
  open(ctx, [
    {
      orderId: 'broker-position',
      tag: '',
      quantity: adoption.quantity,
      averagePrice: adoption.averagePrice,
      external: { priced: 'broker-average' },
    },
  ]);
  return undefined;
}
