import fs from 'node:fs';
import path from 'node:path';

/**
 * Append-only JSONL journal: one JSON event per line. `append` fsyncs before
 * it returns; `write` returns once the lines are written (a process crash
 * keeps them) and `synced()` resolves once an fsync covers them, one fsync
 * for every write made while the previous one ran, off the event loop. What
 * the exchange acknowledges waits for that, so it survives a machine crash
 * too. Opening replays the valid prefix and cuts off a torn last line left
 * by a crash mid-write, so later appends never land behind garbage.
 */
export class Journal<E> {
  private writes = 0;
  private syncedWrites = 0;
  private syncing = false;
  private closing = false;
  private waiters: { writes: number; resolve: () => void; reject: (err: Error) => void }[] = [];

  private constructor(private readonly fd: number) {}

  static open<E>(file: string): { journal: Journal<E>; events: E[] } {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    const events: E[] = [];
    let validBytes = 0;
    for (const line of text.split('\n').slice(0, -1)) {
      try {
        events.push(JSON.parse(line) as E);
      } catch {
        break;
      }
      validBytes += Buffer.byteLength(line) + 1;
    }
    const fd = fs.openSync(file, 'a');
    if (validBytes < Buffer.byteLength(text)) fs.ftruncateSync(fd, validBytes);
    return { journal: new Journal<E>(fd), events };
  }

  append(...events: E[]): void {
    this.write(...events);
    fs.fsyncSync(this.fd);
    this.syncedWrites = this.writes;
  }

  /** Several events in one write; durable once `synced()` resolves. */
  write(...events: E[]): void {
    fs.writeSync(this.fd, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    this.writes += 1;
  }

  /** Resolves once every write made so far is fsynced. */
  synced(): Promise<void> {
    if (this.syncedWrites >= this.writes) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ writes: this.writes, resolve, reject });
      this.sync();
    });
  }

  private sync(): void {
    if (this.syncing) return;
    this.syncing = true;
    const upTo = this.writes;
    fs.fsync(this.fd, (err) => {
      this.syncing = false;
      if (!err) this.syncedWrites = upTo;
      const ready = this.waiters.filter((w) => err || w.writes <= this.syncedWrites);
      this.waiters = this.waiters.filter((w) => !ready.includes(w));
      for (const w of ready) {
        if (err) w.reject(err);
        else w.resolve();
      }
      if (this.closing) fs.closeSync(this.fd);
      else if (this.waiters.length > 0) this.sync();
    });
  }

  /** Syncs what is written; an fsync still running closes the file when it ends. */
  close(): void {
    if (this.syncing) {
      this.closing = true;
      return;
    }
    if (this.syncedWrites < this.writes) fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
  }
}
