import type { Underlying, UnderlyingSpec } from './types';

/**
 * The static contract facts. The paper exchange generates its instruments
 * dump from this table and the dated facts of market-facts.ts (lot sizes,
 * freeze limits, expiries); live trading reads the broker's dump instead.
 * Index tokens are Kite's real ones so a token read from the paper dump also
 * works against live Kite.
 */
export const UNDERLYING_SPECS: Record<Underlying, UnderlyingSpec> = {
  NIFTY: {
    name: 'NIFTY',
    indexSymbol: 'NIFTY 50',
    indexToken: 256265,
    tickSize: 0.05,
    strikeStep: 50,
    referenceSpot: 25_900,
  },
  BANKNIFTY: {
    name: 'BANKNIFTY',
    indexSymbol: 'NIFTY BANK',
    indexToken: 260105,
    tickSize: 0.05,
    strikeStep: 100,
    referenceSpot: 58_500,
  },
  FINNIFTY: {
    name: 'FINNIFTY',
    indexSymbol: 'NIFTY FIN SERVICE',
    indexToken: 257801,
    tickSize: 0.05,
    strikeStep: 50,
    referenceSpot: 27_400,
  },
};

export const specOf = (u: Underlying): UnderlyingSpec => UNDERLYING_SPECS[u];
export const indexTokenOf = (u: Underlying): number => UNDERLYING_SPECS[u].indexToken;

/** Kite puts the segment in the token's low byte; the ticker divides prices by it. */
export const SEGMENT_NFO = 2;
export const SEGMENT_INDICES = 9;

const UNDERLYING_CODES: Record<Underlying, number> = { NIFTY: 0, BANKNIFTY: 1, FINNIFTY: 2 };
const DAY_MS = 86_400_000;
const TOKEN_EPOCH = Date.UTC(2024, 0, 1);

/**
 * A token that depends only on the contract, so it survives restarts and
 * regenerated dumps. Bits above the segment byte: underlying (2), option type
 * (1), expiry day (10, wraps every ~2.8 years) and strike in steps (10, wraps
 * every 1024 steps). Contracts listed at the same time sit far inside both
 * windows, so they never collide, and the token stays below 2^31 because
 * Kite's ticker decodes it as a signed 32-bit value.
 */
export function optionToken(c: {
  underlying: Underlying;
  expiry: string;
  strike: number;
  optionType: 'CE' | 'PE';
}): number {
  const day = Math.round((Date.parse(`${c.expiry}T00:00:00Z`) - TOKEN_EPOCH) / DAY_MS) & 0x3ff;
  const steps = Math.round(c.strike / UNDERLYING_SPECS[c.underlying].strikeStep) & 0x3ff;
  const id =
    ((UNDERLYING_CODES[c.underlying] * 2 + (c.optionType === 'CE' ? 0 : 1)) * 1024 + day) * 1024 +
    steps;
  return id * 256 + SEGMENT_NFO;
}

/** Kite's exchange_token column: the token without its segment byte. */
export const exchangeTokenOf = (token: number): number => Math.floor(token / 256);
