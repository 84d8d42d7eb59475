/**
 * When this process's Kite access token expires. One token per process, so
 * one value per process: the worker copies it from its broker session at
 * start and on every renewal (src/workers/observability.ts), and
 * trader_token_expiry_seconds reads it.
 */
let expiresAt: number | undefined;

/** Epoch ms of the current token's expiry; undefined when it is unknown (a token from the environment). */
export function setTokenExpiry(epochMs: number | undefined): void {
  if (epochMs !== undefined && !Number.isFinite(epochMs))
    throw new RangeError(`setTokenExpiry: expected epoch milliseconds, got ${epochMs}`);
  expiresAt = epochMs;
}

export const tokenExpiry = (): number | undefined => expiresAt;
