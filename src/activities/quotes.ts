import { ApplicationFailure } from '@temporalio/common';
import type { Instrument } from '../adapters/kite/types';
import { istDateOf } from '../domain/calendar';
import { specOf } from '../domain/instruments';
import type { OptionChain, Underlying } from '../domain/types';
import type { ActivityDeps } from './deps';
import { FailureType } from './failure-types';
import { toActivityFailure } from './failures';
import { expiriesOf, liveOptions, strikeWindow, toOptionQuote } from './option-chain';
import { listExpiriesSchema, optionChainSchema, parseInput, quoteSchema } from './validation';

export interface OptionChainInput {
  underlying: Underlying;
  /** YYYY-MM-DD; the nearest live expiry when omitted. */
  expiry?: string;
  /** Strikes either side of the one nearest spot. */
  strikesAround: number;
}

export interface ListExpiriesInput {
  underlying: Underlying;
}

export interface OptionChainResult extends OptionChain {
  /** Every live expiry of the underlying, nearest first, so the workflow can apply its expiry-day rule. */
  expiries: string[];
}

export interface QuoteInput {
  tokens?: number[];
  /** "EXCHANGE:TRADINGSYMBOL". */
  symbols?: string[];
}

export interface QuoteResult {
  token: number;
  symbol: string;
  ltp: number;
  bid?: number;
  ask?: number;
  timestamp: number;
}

/** An index print younger than this is the spot; older, the broker is asked. */
const FRESH_SPOT_MS = 2_000;

export function createQuoteActivities(deps: ActivityDeps) {
  const { broker, hub, now = Date.now } = deps;

  const brokerCall = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw toActivityFailure(err);
    }
  };

  const liveOptionsOf = async (underlying: Underlying, at: number) =>
    liveOptions(await brokerCall(() => broker.getInstruments('NFO')), underlying, istDateOf(at));

  /** Every live expiry, nearest first, so the workflow can apply its expiry-day rule before asking for a chain. */
  async function listExpiries(input: ListExpiriesInput): Promise<{ expiries: string[] }> {
    const { underlying } = parseInput('listExpiries', listExpiriesSchema, input);
    return { expiries: expiriesOf(await liveOptionsOf(underlying, now())) };
  }

  async function getOptionChain(input: OptionChainInput): Promise<OptionChainResult> {
    const { underlying, expiry, strikesAround } = parseInput(
      'getOptionChain',
      optionChainSchema,
      input,
    );
    const at = now();
    const options = await liveOptionsOf(underlying, at);
    const expiries = expiriesOf(options);
    const chosen = expiry ?? expiries[0];
    if (chosen === undefined || !expiries.includes(chosen)) {
      throw ApplicationFailure.nonRetryable(
        `getOptionChain.expiry: no live ${underlying} options for ${JSON.stringify(chosen ?? null)}; live expiries ${expiries.join(', ') || 'none'}`,
        FailureType.InvalidRequest,
      );
    }
    const spec = specOf(underlying);
    const spotKey = `NSE:${spec.indexSymbol}`;
    // The worker's tick hub usually holds the index (the runner watches it): a REST call saved.
    const quiet = hub?.quietMs(spec.indexToken);
    const heard =
      quiet !== undefined && quiet < FRESH_SPOT_MS ? hub!.lastPrice(spec.indexToken) : undefined;
    const spot = heard ?? (await brokerCall(() => broker.getLtp([spotKey]))).get(spotKey);
    if (spot === undefined) {
      throw ApplicationFailure.retryable(
        `getOptionChain: no quote for ${spotKey}`,
        FailureType.BrokerAmbiguous,
      );
    }
    const window = strikeWindow(
      options.filter((o) => o.expiry === chosen),
      spot,
      strikesAround,
    );
    const quotes = await brokerCall(() =>
      broker.getQuote(window.map((o) => `NFO:${o.tradingsymbol}`)),
    );
    return {
      underlying,
      spot,
      expiry: chosen,
      asOf: at,
      expiries,
      options: window.map((o) =>
        toOptionQuote(o, underlying, quotes.get(`NFO:${o.tradingsymbol}`), spot, at),
      ),
    };
  }

  /** Tokens are resolved through the instruments dumps, which work against Kite and the paper exchange alike. */
  async function getQuote(input: QuoteInput): Promise<QuoteResult[]> {
    const { tokens = [], symbols = [] } = parseInput('getQuote', quoteSchema, input);
    const keys = [...symbols];
    if (tokens.length > 0) {
      const byToken = new Map<number, Instrument>();
      for (const exchange of ['NFO', 'NSE'] as const) {
        for (const i of await brokerCall(() => broker.getInstruments(exchange)))
          byToken.set(i.token, i);
      }
      for (const token of tokens) {
        const i = byToken.get(token);
        if (!i)
          throw ApplicationFailure.nonRetryable(
            `getQuote.tokens: unknown instrument token ${token}`,
            FailureType.InvalidRequest,
          );
        keys.push(`${i.exchange}:${i.tradingsymbol}`);
      }
    }
    const quotes = await brokerCall(() => broker.getQuote(keys));
    return keys.flatMap((key) => {
      const q = quotes.get(key);
      return q
        ? [
            {
              token: q.token,
              symbol: key,
              ltp: q.ltp,
              bid: q.bid,
              ask: q.ask,
              timestamp: q.timestamp,
            },
          ]
        : [];
    });
  }

  return { listExpiries, getOptionChain, getQuote };
}
