/**
 * When this process's Kite access token expires, as the token lifecycle
 * knows it. One token per process, so one value per process: whoever loads
 * or renews the token calls setTokenExpiry; the metrics
 * (trader_token_expiry_seconds) and /readyz (the token check) read it.
 */
let expiresAt: number | undefined;

/** Epoch ms of the current token's expiry; undefined when it is unknown (a token from the environment). */
export function setTokenExpiry(epochMs: number | undefined): void {
  if (epochMs !== undefined && !Number.isFinite(epochMs))
    throw new RangeError(`setTokenExpiry: expected epoch milliseconds, got ${epochMs}`);
  expiresAt = epochMs;
}

export const tokenExpiry = (): number | undefined => expiresAt;
