import type { Quote } from '../market/market';

/**
 * Kite's binary ticker format: big-endian int32 fields, prices in paise.
 * Tradable packets are 8 (ltp), 44 (quote) or 184 (full) bytes; index packets
 * 8, 28 or 32. A message is a 2-byte packet count, then per packet a 2-byte
 * length and the packet.
 */
export type TickMode = 'ltp' | 'quote' | 'full';

const paise = (rupees: number): number => Math.round(rupees * 100);
const seconds = (ms: number): number => Math.floor(ms / 1000);

function writeInts(buf: Buffer, offset: number, values: number[]): void {
  values.forEach((v, i) => buf.writeInt32BE(v, offset + i * 4));
}

export function encodePacket(q: Quote, mode: TickMode, index: boolean, lotSize: number): Buffer {
  if (mode === 'ltp') {
    const b = Buffer.alloc(8);
    writeInts(b, 0, [q.token, paise(q.ltp)]);
    return b;
  }
  if (index) {
    const b = Buffer.alloc(mode === 'full' ? 32 : 28);
    writeInts(b, 0, [
      q.token,
      paise(q.ltp),
      paise(q.high),
      paise(q.low),
      paise(q.open),
      paise(q.close),
      paise(q.ltp - q.close),
    ]);
    if (mode === 'full') b.writeInt32BE(seconds(q.timestamp), 28);
    return b;
  }
  const b = Buffer.alloc(mode === 'full' ? 184 : 44);
  const depthQty = (i: number) => lotSize * (i + 1) * 2;
  const buyQty = [0, 1, 2, 3, 4].reduce((s, i) => s + depthQty(i), 0);
  writeInts(b, 0, [
    q.token,
    paise(q.ltp),
    q.lastQty,
    paise(q.ltp),
    q.volume,
    buyQty,
    buyQty,
    paise(q.open),
    paise(q.high),
    paise(q.low),
    paise(q.close),
  ]);
  if (mode === 'full') {
    writeInts(b, 44, [seconds(q.timestamp), 0, 0, 0, seconds(q.timestamp)]);
    for (let i = 0; i < 10; i++) {
      const side = i < 5 ? -1 : 1;
      const level = i % 5;
      const touch = side < 0 ? q.bid : q.ask;
      const price = touch > 0 ? touch + side * level * 0.05 : 0;
      const at = 64 + i * 12;
      b.writeInt32BE(price > 0 ? depthQty(level) : 0, at);
      b.writeInt32BE(paise(price), at + 4);
      b.writeInt16BE(price > 0 ? level + 1 : 0, at + 8);
    }
  }
  return b;
}

export function frame(packets: Buffer[]): Buffer {
  const header = Buffer.alloc(2);
  header.writeUInt16BE(packets.length);
  const parts: Buffer[] = [header];
  for (const p of packets) {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(p.length);
    parts.push(len, p);
  }
  return Buffer.concat(parts);
}

/** Kite's keep-alive: a single zero byte each second. */
export const HEARTBEAT = Buffer.from([0]);
