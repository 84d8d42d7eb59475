import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  readTokenFile,
  writeTokenFile,
  type StoredToken,
} from '../../src/adapters/kite/token-file';

const token: StoredToken = {
  apiKey: 'kitefront',
  accessToken: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  userId: 'AB1234',
  loginAt: Date.parse('2026-12-02T03:44:03Z'),
  expiresAt: Date.parse('2026-12-03T00:30:00Z'),
};

const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'token-file-'));
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe('the token file', () => {
  it('is readable by its owner only, whatever the umask', () => {
    const file = path.join(dir(), 'nested', 'kite-token.json');
    const umask = process.umask(0);
    try {
      writeTokenFile(file, token);
    } finally {
      process.umask(umask);
    }
    expect(modeOf(file)).toBe(0o600);
    expect(modeOf(path.dirname(file))).toBe(0o700);
  });

  it('replaces a file left readable by others with a 0600 one, and leaves no temporary behind', () => {
    const root = dir();
    const file = path.join(root, 'kite-token.json');
    fs.writeFileSync(file, '{}', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(path.join(root, `.kite-token.json.${process.pid}.tmp`), 'junk', {
      mode: 0o666,
    });
    writeTokenFile(file, token);
    expect(modeOf(file)).toBe(0o600);
    expect(fs.readdirSync(root)).toEqual(['kite-token.json']);
  });

  it('reads back what was written, with its mode', () => {
    const file = path.join(dir(), 'kite-token.json');
    writeTokenFile(file, token);
    expect(readTokenFile(file)).toEqual({ status: 'ok', token, mode: 0o600 });
  });

  it('says missing when there is none, and names the field of a bad one without quoting it', () => {
    const root = dir();
    expect(readTokenFile(path.join(root, 'absent.json'))).toEqual({ status: 'missing' });
    const file = path.join(root, 'kite-token.json');
    fs.writeFileSync(file, 'not json');
    expect(readTokenFile(file)).toEqual({ status: 'invalid', problem: 'not JSON' });
    const secret = 'zz9plural9zalpha';
    fs.writeFileSync(
      file,
      JSON.stringify({ version: 1, apiKey: 'k', accessToken: 7, userId: 'u', loginAt: secret }),
    );
    const read = readTokenFile(file);
    expect(read.status).toBe('invalid');
    const { problem } = read as { problem: string };
    expect(problem).toMatch(/accessToken: /);
    expect(problem).toMatch(/loginAt: expected an ISO timestamp/);
    expect(problem).toMatch(/expiresAt: /);
    expect(problem).not.toContain(secret);
  });
});
