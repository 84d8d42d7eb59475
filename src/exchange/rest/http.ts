import type { IncomingMessage, ServerResponse } from 'node:http';
import { KiteError } from '../errors';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
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

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
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
