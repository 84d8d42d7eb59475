/**
 * Kite ticker client, our own on the `ws` package rather than a wrapper of the
 * official KiteTicker (kiteconnect/dist/lib/ticker.js), because that one:
 * - keeps its socket, subscriptions and callbacks in module-level variables,
 *   so two tickers in one process (a worker and a test, two hubs) clobber
 *   each other;
 * - calls process.exit(1) once its reconnect attempts run out, which would
 *   kill a whole Temporal worker over a feed outage;
 * - does not resubscribe after a reconnect, leaving that to every caller.
 * This client speaks the same protocol (verified in tests against both the
 * paper exchange and the official decoder), resubscribes by itself, retries
 * forever with capped exponential backoff, and treats 5 s of silence (Kite
 * sends a heartbeat every second) as a dead connection.
 */
import { EventEmitter } from 'node:events';
import { WebSocket, type RawData } from 'ws';

export type TickMode = 'ltp' | 'quote' | 'full';

export interface Tick {
  token: number;
  ltp: number;
  /** Best bid and ask, from full-mode depth only. */
  bid?: number;
  ask?: number;
  /** Epoch ms: the exchange timestamp in full mode, else when the packet arrived. */
  timestamp: number;
}

export interface TickerOptions {
  /** ws://host:port/ws (paper) or wss://ws.kite.trade (live). */
  url: string;
  apiKey: string;
  accessToken: string;
  reconnect?: { minDelayMs?: number; maxDelayMs?: number };
  /** Silence after which the connection is presumed dead. */
  readTimeoutMs?: number;
}

export interface TickerClient {
  subscribe(tokens: number[], mode?: TickMode): void;
  unsubscribe(tokens: number[]): void;
  on(event: 'tick', listener: (tick: Tick) => void): this;
  on(event: 'order', listener: (order: Record<string, unknown>) => void): this;
  on(event: 'connect' | 'disconnect', listener: () => void): this;
  readonly connected: boolean;
  close(): void;
}

export interface RenewableTicker extends TickerClient {
  /** Reconnects at once with the new token (a renewed login); subscriptions carry over. */
  setAccessToken(accessToken: string): void;
}

const INDICES_SEGMENT = 9;
const CDS_SEGMENT = 3;

/** Decodes one binary message: 2-byte count, then (2-byte length, packet) per packet. */
export function decodeTicks(buf: Buffer, receivedAt: number): Tick[] {
  if (buf.length < 4) return [];
  const ticks: Tick[] = [];
  let at = 2;
  for (let n = buf.readUInt16BE(0); n > 0 && at + 2 <= buf.length; n--) {
    const len = buf.readUInt16BE(at);
    const p = buf.subarray(at + 2, at + 2 + len);
    at += 2 + len;
    if (p.length < 8) continue;
    const token = p.readInt32BE(0);
    const divisor = (token & 0xff) === CDS_SEGMENT ? 10_000_000 : 100;
    const price = (offset: number) => p.readInt32BE(offset) / divisor;
    const tick: Tick = { token, ltp: price(4), timestamp: receivedAt };
    const index = (token & 0xff) === INDICES_SEGMENT;
    const stampAt = index && len === 32 ? 28 : !index && len === 184 ? 60 : -1;
    if (stampAt > 0 && p.readInt32BE(stampAt) > 0) tick.timestamp = p.readInt32BE(stampAt) * 1000;
    if (!index && len === 184) {
      const bid = price(64 + 4);
      const ask = price(64 + 60 + 4);
      if (bid > 0) tick.bid = bid;
      if (ask > 0) tick.ask = ask;
    }
    ticks.push(tick);
  }
  return ticks;
}

class KiteTickerClient extends EventEmitter implements RenewableTicker {
  private socket: WebSocket | null = null;
  private readonly modes = new Map<number, TickMode>();
  private attempts = 0;
  private closed = false;
  private lastMessage = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly watchdog: NodeJS.Timeout;
  private accessToken: string;
  connected = false;

  constructor(private readonly options: TickerOptions) {
    super();
    this.accessToken = options.accessToken;
    const timeout = options.readTimeoutMs ?? 5000;
    this.watchdog = setInterval(
      () => {
        if (this.connected && Date.now() - this.lastMessage > timeout) this.socket?.terminate();
      },
      Math.min(timeout, 1000),
    );
    this.connect();
  }

  subscribe(tokens: number[], mode: TickMode = 'full'): void {
    for (const t of tokens) this.modes.set(t, mode);
    this.send({ a: 'subscribe', v: tokens });
    this.send({ a: 'mode', v: [mode, tokens] });
  }

  unsubscribe(tokens: number[]): void {
    for (const t of tokens) this.modes.delete(t);
    this.send({ a: 'unsubscribe', v: tokens });
  }

  setAccessToken(accessToken: string): void {
    if (accessToken === this.accessToken || this.closed) return;
    this.accessToken = accessToken;
    clearTimeout(this.retryTimer);
    this.attempts = 0;
    // Detached first, so its close event schedules no second reconnect.
    const old = this.socket;
    this.socket = null;
    if (this.connected) {
      this.connected = false;
      this.emit('disconnect');
    }
    old?.terminate();
    this.connect();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.watchdog);
    this.socket?.terminate();
  }

  private connect(): void {
    const url = new URL(this.options.url);
    url.searchParams.set('api_key', this.options.apiKey);
    url.searchParams.set('access_token', this.accessToken);
    const ws = new WebSocket(url, { headers: { 'X-Kite-Version': '3' } });
    this.socket = ws;
    ws.on('open', () => {
      this.connected = true;
      this.attempts = 0;
      this.lastMessage = Date.now();
      this.resubscribe();
      this.emit('connect');
    });
    ws.on('message', (data: RawData, isBinary: boolean) =>
      this.onMessage(data as Buffer, isBinary),
    );
    // 'close' always follows and drives the reconnect.
    ws.on('error', () => undefined);
    ws.on('close', () => this.onClose(ws));
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    this.lastMessage = Date.now();
    if (isBinary) {
      for (const tick of decodeTicks(data, this.lastMessage)) this.emit('tick', tick);
      return;
    }
    try {
      const msg = JSON.parse(data.toString()) as { type?: string; data?: Record<string, unknown> };
      if (msg.type === 'order' && msg.data) this.emit('order', msg.data);
    } catch {
      // Kite also sends free-text messages; only order updates matter here.
    }
  }

  private onClose(ws: WebSocket): void {
    if (ws !== this.socket) return;
    this.socket = null;
    if (this.connected) {
      this.connected = false;
      this.emit('disconnect');
    }
    if (this.closed) return;
    const min = this.options.reconnect?.minDelayMs ?? 500;
    const max = this.options.reconnect?.maxDelayMs ?? 30_000;
    const delay = Math.min(max, min * 2 ** this.attempts++) * (0.8 + Math.random() * 0.4);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** After a reconnect the server knows nothing: send every token again, grouped by mode. */
  private resubscribe(): void {
    const byMode = new Map<TickMode, number[]>();
    for (const [token, mode] of this.modes) byMode.set(mode, [...(byMode.get(mode) ?? []), token]);
    for (const [mode, tokens] of byMode) {
      this.send({ a: 'subscribe', v: tokens });
      this.send({ a: 'mode', v: [mode, tokens] });
    }
  }

  private send(msg: unknown): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(msg));
  }
}

export function createTicker(options: TickerOptions): RenewableTicker {
  return new KiteTickerClient(options);
}
