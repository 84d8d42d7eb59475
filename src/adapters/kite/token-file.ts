import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * The access token `trade login` obtained, on disk for the worker to pick
 * up: JSON in a file only its owner can read (0600), written whole or not at
 * all (a temporary file renamed over it), so a watcher never reads half.
 */

export const TOKEN_FILE_MODE = 0o600;

const instant = z.iso.datetime({ offset: true, error: 'expected an ISO timestamp' });
const text = z
  .string({ error: 'expected a non-empty string' })
  .min(1, 'expected a non-empty string');

const tokenFileSchema = z.strictObject({
  version: z.literal(1, { error: 'expected 1' }),
  apiKey: text,
  accessToken: text,
  userId: text,
  loginAt: instant,
  expiresAt: instant,
});

export interface StoredToken {
  apiKey: string;
  accessToken: string;
  userId: string;
  loginAt: number;
  expiresAt: number;
}

export type TokenFileRead =
  | { status: 'missing' }
  | { status: 'invalid'; problem: string }
  /** `mode` is the file's permission bits; anything beyond 0600 is the caller's to complain about. */
  | { status: 'ok'; token: StoredToken; mode: number };

/** Problems name the field and never quote a value: the value may be the token. */
export function readTokenFile(file: string): TokenFileRead {
  let raw: string;
  let mode: number;
  try {
    raw = fs.readFileSync(file, 'utf8');
    mode = fs.statSync(file).mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
    return { status: 'invalid', problem: `cannot read it: ${(err as NodeJS.ErrnoException).code}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { status: 'invalid', problem: 'not JSON' };
  }
  const parsed = tokenFileSchema.safeParse(json);
  if (!parsed.success) {
    const problem = parsed.error.issues
      .map((i) => `${i.path.join('.') || 'file'}: ${i.message}`)
      .join('; ');
    return { status: 'invalid', problem };
  }
  const { apiKey, accessToken, userId, loginAt, expiresAt } = parsed.data;
  return {
    status: 'ok',
    token: {
      apiKey,
      accessToken,
      userId,
      loginAt: Date.parse(loginAt),
      expiresAt: Date.parse(expiresAt),
    },
    mode,
  };
}

/** Replaces the file atomically; the new file is created 0600, so the token is never readable by others. */
export function writeTokenFile(file: string, token: StoredToken): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  // A leftover from a crash may carry wider permissions; 'wx' creates afresh with ours.
  fs.rmSync(tmp, { force: true });
  const body = {
    version: 1,
    apiKey: token.apiKey,
    accessToken: token.accessToken,
    userId: token.userId,
    loginAt: new Date(token.loginAt).toISOString(),
    expiresAt: new Date(token.expiresAt).toISOString(),
  } satisfies z.input<typeof tokenFileSchema>;
  const fd = fs.openSync(tmp, 'wx', TOKEN_FILE_MODE);
  try {
    // The umask can only narrow the mode given at creation; this makes it exactly 0600.
    fs.fchmodSync(fd, TOKEN_FILE_MODE);
    fs.writeSync(fd, `${JSON.stringify(body, null, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
