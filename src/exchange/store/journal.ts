import fs from 'node:fs';
import path from 'node:path';

/**
 * Append-only JSONL journal: one JSON event per line, fsynced before append
 * returns, so anything the API acknowledged survives a crash. Opening replays
 * the valid prefix and cuts off a torn last line left by a crash mid-write, so
 * later appends never land behind garbage.
 */
export class Journal<E> {
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

  /** Several events in one write and one fsync: a command's records cost what one did. */
  append(...events: E[]): void {
    fs.writeSync(this.fd, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    fs.fsyncSync(this.fd);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
