import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KiteConnect, type Connect } from 'kiteconnect';
import { PAPER_CREDENTIALS } from '../../src/config/secrets';
import { startExchange, type ExchangeOptions } from '../../src/exchange';
import { ExchangeControl } from '../../src/exchange/control-client';
import { clockFrom, suiteInstant } from '../harness/clock';

export const CREDS: { apiKey: string; accessToken: string } = {
  apiKey: PAPER_CREDENTIALS.apiKey,
  accessToken: PAPER_CREDENTIALS.accessToken,
};

/**
 * The exchange suites' clock unless a test pins its own: an ordinary
 * Wednesday morning by default, any instant CI's fixed-date step chooses
 * otherwise. One clock per test file, so restarts never go back in time.
 */
export const suiteNow = clockFrom(suiteInstant('2026-12-02T11:00:00+05:30'));

export const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'paper-exchange-'));

export function baseOptions(overrides: Partial<ExchangeOptions> = {}): ExchangeOptions {
  return {
    host: '127.0.0.1',
    port: 0,
    dataDir: tempDir(),
    seed: 7,
    tickIntervalMs: 40,
    session: 'always-open',
    strikesAroundSpot: 4,
    partialFillRatio: 0,
    accountCapital: 1_000_000,
    ordersPerSecond: 1000,
    requestsPerSecond: 1000,
    control: { enabled: true },
    credentials: CREDS,
    now: suiteNow,
    ...overrides,
  };
}

export function kiteFor(restUrl: string, accessToken: string = CREDS.accessToken): Connect {
  const kite = new KiteConnect({ api_key: CREDS.apiKey, root: restUrl });
  kite.setAccessToken(accessToken);
  return kite;
}

export async function startTestExchange(overrides: Partial<ExchangeOptions> = {}) {
  const options = baseOptions(overrides);
  const ex = await startExchange(options);
  return { ex, options, kite: kiteFor(ex.restUrl), control: new ExchangeControl(ex.restUrl) };
}

export interface Row {
  instrument_token: string;
  tradingsymbol: string;
  name: string;
  last_price: number;
  expiry: Date | string;
  strike: number;
  lot_size: number;
  instrument_type: string;
  segment: string;
  exchange: string;
}

/** The nearest-expiry option of an underlying closest to the money. */
export async function atmOption(kite: Connect, underlying = 'NIFTY', type = 'CE'): Promise<Row> {
  const rows = ((await kite.getInstruments('NFO')) as unknown as Row[]).filter(
    (r) => r.name === underlying && r.instrument_type === type,
  );
  const firstExpiry = Math.min(...rows.map((r) => new Date(r.expiry).getTime()));
  const near = rows.filter((r) => new Date(r.expiry).getTime() === firstExpiry);
  return near[Math.floor(near.length / 2)];
}

export async function waitFor<T>(
  read: () => Promise<T> | T,
  ok: (v: T) => boolean,
  timeoutMs = 3000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
