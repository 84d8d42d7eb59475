import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ChannelName } from './types';

const entrySchema = z.object({ at: z.number(), channel: z.string(), id: z.string() });
type Entry = z.infer<typeof entrySchema>;

const FILE = 'sent.jsonl';
const keyOf = (channel: string, id: string) => `${channel} ${id}`;

/** A line torn by a crash mid-append is dropped: at worst that alert goes out once more. */
function parseLine(line: string): Entry | undefined {
  try {
    const parsed = entrySchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Which alert ids each channel has delivered within the retention: in memory
 * for the check, and in an append-only JSON-lines file so a restarted worker
 * knows too. The file is compacted to the retained entries when opened;
 * alerts come in tens a day, so that is the only pruning the file needs.
 */
export class SentLog {
  // Insertion order is delivery order, so expired entries are always at the front.
  private readonly sent = new Map<string, number>();

  private constructor(
    private readonly file: string,
    private readonly retentionMs: number,
    private readonly now: () => number,
  ) {}

  static open(dir: string, retentionMs: number, now: () => number): SentLog {
    fs.mkdirSync(dir, { recursive: true });
    const log = new SentLog(path.join(dir, FILE), retentionMs, now);
    const lines = fs.existsSync(log.file)
      ? fs
          .readFileSync(log.file, 'utf8')
          .split('\n')
          .filter((l) => l.trim())
      : [];
    const kept = lines
      .map(parseLine)
      .filter((e): e is Entry => e !== undefined && !log.expired(e.at));
    kept.sort((a, b) => a.at - b.at);
    for (const e of kept) log.remember(keyOf(e.channel, e.id), e.at);
    if (kept.length !== lines.length) {
      const tmp = `${log.file}.tmp`;
      fs.writeFileSync(tmp, kept.map((e) => `${JSON.stringify(e)}\n`).join(''));
      fs.renameSync(tmp, log.file);
    }
    return log;
  }

  private expired(at: number): boolean {
    return at <= this.now() - this.retentionMs;
  }

  private remember(key: string, at: number): void {
    this.sent.delete(key);
    this.sent.set(key, at);
  }

  private prune(): void {
    for (const [key, at] of this.sent) {
      if (!this.expired(at)) break;
      this.sent.delete(key);
    }
  }

  has(channel: ChannelName, id: string): boolean {
    this.prune();
    return this.sent.has(keyOf(channel, id));
  }

  /** Remembers a delivery; a failed append is the caller's to log, the memory already knows. */
  async record(channel: ChannelName, id: string): Promise<void> {
    const entry: Entry = { at: this.now(), channel, id };
    this.remember(keyOf(channel, id), entry.at);
    await fs.promises.appendFile(this.file, `${JSON.stringify(entry)}\n`);
  }
}
