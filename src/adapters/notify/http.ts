import { DeliveryError, type ChannelName } from './types';

export interface HttpAnswer {
  status: number;
  retryAfterHeader: string | null;
  body: string;
}

// The error's own message is never used: undici puts the URL in some of them,
// and for the webhook channel the URL is the secret.
function unreachable(channel: ChannelName, err: unknown, timeoutMs: number): DeliveryError {
  const e = err as { name?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return new DeliveryError(channel, `no answer within ${timeoutMs} ms`, true);
  const code = e.cause?.code;
  return new DeliveryError(channel, `request failed${code ? ` (${code})` : ''}`, true);
}

/** POSTs JSON; network trouble and timeouts become retryable DeliveryErrors, any HTTP answer is returned. */
export async function postJson(
  channel: ChannelName,
  url: string,
  payload: unknown,
  timeoutMs: number,
): Promise<HttpAnswer> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return {
      status: res.status,
      retryAfterHeader: res.headers.get('retry-after'),
      body: await res.text(),
    };
  } catch (err) {
    throw unreachable(channel, err, timeoutMs);
  }
}

/** Throttling, timeouts and server trouble pass; any other refusal needs a person. */
export const isRetryableStatus = (status: number): boolean =>
  status === 408 || status === 425 || status === 429 || status >= 500;

/** Retry-After in whole or fractional seconds; the HTTP-date form is left to the retry policy. */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null || !/^\d+(\.\d+)?$/.test(header.trim())) return undefined;
  return Math.ceil(Number(header) * 1000);
}
