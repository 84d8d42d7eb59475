import fs from 'node:fs';
import path from 'node:path';

/**
 * Calls `onChange` when the token file is created, replaced or removed.
 * fs.watch on the directory sees the atomic rename within milliseconds;
 * a stat every `pollMs` covers file systems where watching says nothing
 * (network mounts, some containers) and a watcher that died.
 */
export class TokenFileWatcher {
  private watcher: fs.FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private seen: string;

  constructor(
    private readonly file: string,
    private readonly onChange: () => void,
    private readonly pollMs = 5_000,
  ) {
    this.seen = this.signature();
  }

  start(): void {
    const dir = path.dirname(this.file);
    const name = path.basename(this.file);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      this.watcher = fs.watch(dir, (_event, changed) => {
        if (changed === null || changed === name) this.check();
      });
      this.watcher.on('error', () => this.stopWatching());
    } catch {
      // Nothing to watch with here; the poll alone will see the change.
    }
    this.timer = setInterval(() => this.check(), this.pollMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopWatching();
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** Inode, mtime and size: a rename over the file changes the inode even within one mtime tick. */
  private signature(): string {
    try {
      const s = fs.statSync(this.file);
      return `${s.ino}:${s.mtimeMs}:${s.size}`;
    } catch {
      return 'absent';
    }
  }

  private check(): void {
    const now = this.signature();
    if (now === this.seen) return;
    this.seen = now;
    this.onChange();
  }
}
