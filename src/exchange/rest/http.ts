import type { IncomingMessage, ServerResponse } from 'node:http';
import { KiteError } from '../errors';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    // The unread rest of a refused body would otherwise be read to keep the connection alive.
    ...(status === 413 && { Connection: 'close' }),
  });
  res.end(text);
}

export const sendData = (res: ServerResponse, data: unknown): void =>
  sendJson(res, 200, { status: 'success', data });

export function sendError(res: ServerResponse, err: KiteError): void {
  sendJson(res, err.status, {
    status: 'error',
    message: err.message,
    data: null,
    error_type: err.errorType,
  });
}

/** The kiteconnect client only parses CSV when the content type is exactly text/csv. */
export function sendCsv(res: ServerResponse, csv: string): void {
  res.writeHead(200, { 'Content-Type': 'text/csv', 'Content-Length': Buffer.byteLength(csv) });
  res.end(csv);
}

/** Larger than any Kite order call or control body; anything bigger is refused unread. */
export const MAX_BODY_BYTES = 64 * 1024;

const tooLarge = (limit: number) =>
  new KiteError('InputException', `body: larger than ${limit} bytes`, 413);

/**
 * The request body as text, refused with 413 as soon as it passes `limit`:
 * at once when Content-Length already says so, else when the bytes read do.
 * Nothing past the limit is buffered.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  if (Number(req.headers['content-length']) > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= limit) return void chunks.push(c);
      req.off('data', onData);
      req.pause();
      reject(tooLarge(limit));
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Query string plus, for writes, the form-encoded body (Kite's encoding for order calls). */
export function paramsOf(url: URL, body: string): Record<string, string> {
  const params: Record<string, string> = Object.fromEntries(url.searchParams);
  for (const [k, v] of new URLSearchParams(body)) params[k] = v;
  return params;
}

export const asKiteError = (err: unknown): KiteError =>
  err instanceof KiteError
    ? err
    : new KiteError('GeneralException', (err as Error).message ?? 'Internal error');
