import type { Command } from 'commander';
import { KiteConnect } from 'kiteconnect';
import { readTokenFile, TOKEN_FILE_MODE, type TokenFileRead } from '../../adapters/kite/token-file';
import { loadConfig, loadSecrets, type Config, type Secrets } from '../../config';
import { chooseToken, TOKEN_EXPIRING_LEAD_MS, type TokenSource } from '../../domain/broker-session';
import { scrubber } from '../../log';
import { brokerErrorText } from '../kite-login';
import { createOutput, istTime, keyValues } from './format';

/** `expiring` is valid with less than half an hour left; `unverified` could not ask the broker. */
type StatusState = 'valid' | 'expiring' | 'expired' | 'logged-out' | 'missing' | 'unverified';

const LABELS: Record<StatusState, string> = {
  valid: 'valid',
  expiring: 'valid, expires within 30 minutes: run npx trade login',
  expired: 'expired: run npx trade login',
  'logged-out': 'logged out by the broker: run npx trade login',
  missing: 'missing: run npx trade login',
  unverified: 'not verified: the broker did not answer',
};

interface FileFacts {
  tokenFile?: string;
  /** `ok`, `missing` or what is wrong with it. */
  tokenFileStatus?: string;
  tokenFileMode?: string;
  fileIgnored?: string;
}

interface TokenStatus extends FileFacts {
  state: StatusState;
  source?: TokenSource;
  userId?: string;
  loginAt?: string;
  expiresAt?: string;
  /** What the broker said when asked, when it was asked. */
  broker?: string;
}

const fileStatusOf = (read: TokenFileRead): string =>
  read.status === 'invalid' ? `unusable: ${read.problem}` : read.status;

/** Asks the broker about the token with the cheapest authenticated call there is. */
async function probe(
  config: Config,
  apiKey: string,
  accessToken: string,
  scrub: (s: string) => string,
): Promise<{ state: StatusState; broker: string }> {
  const kite = new KiteConnect({ api_key: apiKey, root: config.broker.restUrl, timeout: 5_000 });
  kite.setAccessToken(accessToken);
  try {
    await kite.getProfile();
    return { state: 'valid', broker: 'accepted the token' };
  } catch (err) {
    const text = scrub(brokerErrorText(err));
    const refused = (err as { error_type?: unknown }).error_type === 'TokenException';
    return { state: refused ? 'logged-out' : 'unverified', broker: text };
  }
}

async function tokenStatus(config: Config, secrets: Secrets, now: number): Promise<TokenStatus> {
  const tokenFile = config.broker.tokenFile;
  const read: TokenFileRead = tokenFile ? readTokenFile(tokenFile) : { status: 'missing' };
  const stored = read.status === 'ok' ? read.token : undefined;
  const choice = chooseToken({
    file: stored,
    hasEnvToken: secrets.kiteAccessToken !== undefined,
    apiKey: secrets.kiteApiKey,
    now,
  });
  const fileFacts: FileFacts = {
    ...(tokenFile && { tokenFile, tokenFileStatus: fileStatusOf(read) }),
    ...(read.status === 'ok' && { tokenFileMode: read.mode.toString(8) }),
    ...(choice.fileIgnored && { fileIgnored: choice.fileIgnored }),
  };
  if (choice.use === 'none') return { state: 'missing', ...fileFacts };
  const fromFile = choice.use === 'file' && stored !== undefined;
  const accessToken = fromFile ? stored.accessToken : (secrets.kiteAccessToken as string);
  const expiresAt = fromFile ? stored.expiresAt : undefined;
  const known = {
    source: choice.use,
    ...fileFacts,
    ...(fromFile && {
      userId: stored.userId,
      loginAt: new Date(stored.loginAt).toISOString(),
      expiresAt: new Date(stored.expiresAt).toISOString(),
    }),
  };
  if (expiresAt !== undefined && now >= expiresAt) return { state: 'expired', ...known };
  const scrub = scrubber([accessToken, secrets.kiteApiKey]);
  const asked = await probe(config, secrets.kiteApiKey, accessToken, scrub);
  const expiring =
    asked.state === 'valid' && expiresAt !== undefined && expiresAt - now <= TOKEN_EXPIRING_LEAD_MS;
  return { ...known, ...asked, ...(expiring && { state: 'expiring' as const }) };
}

const expiresIn = (expiresAt: string | undefined, now: number): string | undefined => {
  if (expiresAt === undefined) return undefined;
  const minutes = Math.round((Date.parse(expiresAt) - now) / 60_000);
  if (minutes <= 0) return 'passed';
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
};

const expiryText = (status: TokenStatus): string | undefined => {
  if (status.expiresAt) return istTime(Date.parse(status.expiresAt));
  return status.source === 'env' ? 'unknown (Kite ends every session at 06:00 IST)' : undefined;
};

const fileText = (status: TokenStatus): string | undefined => {
  if (!status.tokenFile) return undefined;
  const mode = status.tokenFileMode;
  const modeNote = !mode
    ? ''
    : mode === TOKEN_FILE_MODE.toString(8)
      ? `, mode ${mode}`
      : `, mode ${mode}: expected 600`;
  return `${status.tokenFile} (${status.tokenFileStatus}${modeNote})`;
};

function render(status: TokenStatus, config: Config, now: number): string {
  return keyValues([
    ['token', LABELS[status.state]],
    ['source', status.source && (status.source === 'file' ? 'token file' : 'KITE_ACCESS_TOKEN')],
    ['user', status.userId],
    ['logged in (IST)', status.loginAt && istTime(Date.parse(status.loginAt))],
    ['expires (IST)', expiryText(status)],
    ['expires in', expiresIn(status.expiresAt, now)],
    [
      'broker',
      status.broker ? `${config.broker.restUrl}: ${status.broker}` : config.broker.restUrl,
    ],
    ['token file', fileText(status)],
    ['file not used', status.fileIgnored],
  ]);
}

/** `trade status`: the Kite session's state and expiry, never the token. */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'the Kite session: whether the token is valid, expired, missing or logged out, and when it expires',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const out = createOutput(Boolean(cmd.optsWithGlobals().json));
      const config = loadConfig();
      const secrets = loadSecrets(config.broker.mode, process.env, { accessTokenOptional: true });
      const now = Date.now();
      const status = await tokenStatus(config, secrets, now);
      out.emit(status, () => render(status, config, now));
    });
}
