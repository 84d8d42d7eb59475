import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { isOption } from '../market/instrument';
import type { Market } from '../market/market';
import type { KiteOrder } from '../matching/order-types';
import { encodePacket, frame, HEARTBEAT, type TickMode } from './packets';

interface Connection {
  socket: WebSocket;
  modes: Map<number, TickMode>;
}

const MODES: readonly TickMode[] = ['ltp', 'quote', 'full'];
/** Kite's mode for a token subscribed without an explicit mode. */
const DEFAULT_MODE: TickMode = 'quote';

/** Kite's WebSocket ticker at /ws: JSON commands in, binary ticks and JSON order updates out. */
export class TickerServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly connections = new Set<Connection>();
  private readonly heartbeat: NodeJS.Timeout;
  paused = false;

  constructor(
    private readonly market: Market,
    /** Judged at the handshake only, as Kite does: a connection outlives its token's expiry. */
    private readonly accepts: (apiKey: string, accessToken: string) => boolean,
  ) {
    this.heartbeat = setInterval(() => this.sendAll(HEARTBEAT), 1000);
  }

  /** Wired to the HTTP server's 'upgrade'; answers 403 to bad credentials like Kite. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    if (
      !this.accepts(
        url.searchParams.get('api_key') ?? '',
        url.searchParams.get('access_token') ?? '',
      )
    ) {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  /** Pushes the current quote of every subscribed token to every connection. */
  broadcastTicks(): void {
    if (this.paused) return;
    for (const c of this.connections) this.sendTicks(c, [...c.modes.keys()]);
  }

  /** Every token some open connection is subscribed to. */
  subscribedTokens(): Set<number> {
    const tokens = new Set<number>();
    for (const c of this.connections) {
      if (c.socket.readyState === WebSocket.OPEN) for (const t of c.modes.keys()) tokens.add(t);
    }
    return tokens;
  }

  sendOrderUpdate(order: KiteOrder): void {
    this.sendAll(JSON.stringify({ type: 'order', id: '', data: order }));
  }

  /** Control fault: every client sees its connection drop. */
  dropAll(): void {
    for (const c of this.connections) c.socket.terminate();
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.dropAll();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    const c: Connection = { socket, modes: new Map() };
    this.connections.add(c);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) this.command(c, data.toString());
    });
    socket.on('close', () => this.connections.delete(c));
    socket.on('error', () => socket.terminate());
  }

  private command(c: Connection, text: string): void {
    let msg: { a?: unknown; v?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    const tokens = (v: unknown): number[] =>
      Array.isArray(v) ? v.filter((t): t is number => typeof t === 'number') : [];
    if (msg.a === 'subscribe') {
      const added = tokens(msg.v).filter((t) => this.market.instrument(t));
      for (const t of added) if (!c.modes.has(t)) c.modes.set(t, DEFAULT_MODE);
      this.sendTicks(c, added);
    } else if (msg.a === 'unsubscribe') {
      for (const t of tokens(msg.v)) c.modes.delete(t);
    } else if (msg.a === 'mode' && Array.isArray(msg.v) && MODES.includes(msg.v[0] as TickMode)) {
      const changed = tokens(msg.v[1]).filter((t) => this.market.instrument(t));
      for (const t of changed) c.modes.set(t, msg.v[0] as TickMode);
      this.sendTicks(c, changed);
    }
  }

  private sendTicks(c: Connection, tokens: number[]): void {
    if (this.paused || tokens.length === 0 || c.socket.readyState !== WebSocket.OPEN) return;
    const packets = tokens.flatMap((t) => {
      const i = this.market.instrument(t);
      const q = this.market.quote(t);
      const mode = c.modes.get(t);
      return i && q && mode ? [encodePacket(q, mode, !isOption(i), i.lotSize)] : [];
    });
    if (packets.length > 0) c.socket.send(frame(packets));
  }

  private sendAll(data: Buffer | string): void {
    for (const c of this.connections) {
      if (c.socket.readyState === WebSocket.OPEN) c.socket.send(data);
    }
  }
}
