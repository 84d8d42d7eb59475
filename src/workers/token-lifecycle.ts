import { readTokenFile, TOKEN_FILE_MODE, type TokenFileRead } from '../adapters/kite/token-file';
import type { Notifier } from '../adapters/notify/notifier';
import { MissingSecretError, type Config, type Secrets } from '../config';
import { chooseToken } from '../domain/broker-session';
import { istTimestamp } from '../domain/strategies/candles';
import { registerSecret, type Logger } from '../log';
import { BrokerSession, type SessionToken } from './broker-session';
import { TokenAlerts, type TokenAlertsOptions } from './token-alerts';
import { TokenFileWatcher } from './token-file-watch';

/** What carries the access token to the broker: the REST client and the ticker. */
export interface TokenHolder {
  setAccessToken(accessToken: string): void;
}

/** The token file's shape problems and loose permissions, said once where an operator looks. */
function complainAbout(read: TokenFileRead, file: string, logger: Logger): void {
  if (read.status === 'invalid')
    logger.warn({ tokenFile: file, problem: read.problem }, 'token file cannot be used');
  if (read.status === 'ok' && read.mode !== TOKEN_FILE_MODE) {
    logger.warn(
      { tokenFile: file, mode: read.mode.toString(8) },
      'token file is readable by others than its owner; expected mode 600',
    );
  }
}

const fromFile = (read: Extract<TokenFileRead, { status: 'ok' }>): SessionToken => ({
  accessToken: read.token.accessToken,
  source: 'file',
  userId: read.token.userId,
  loginAt: read.token.loginAt,
  expiresAt: read.token.expiresAt,
});

/**
 * The session the worker starts with: the token file while it is for this
 * api key and unexpired, else KITE_ACCESS_TOKEN, else the expired file (the
 * worker starts logged out and waits for `trade login`). No token at all
 * stops the start, naming both places it looked.
 */
export function openBrokerSession(
  config: Config,
  secrets: Secrets,
  logger: Logger,
  now: () => number = Date.now,
): BrokerSession {
  const file = config.broker.tokenFile;
  const read: TokenFileRead = file ? readTokenFile(file) : { status: 'missing' };
  if (file) complainAbout(read, file, logger);
  const choice = chooseToken({
    file: read.status === 'ok' ? read.token : undefined,
    hasEnvToken: secrets.kiteAccessToken !== undefined,
    apiKey: secrets.kiteApiKey,
    now: now(),
  });
  if (choice.fileIgnored)
    logger.warn({ tokenFile: file, reason: choice.fileIgnored }, 'token file not used');
  if (choice.use === 'file' && read.status === 'ok') {
    registerSecret(read.token.accessToken);
    return new BrokerSession(fromFile(read), now);
  }
  if (choice.use === 'env' && secrets.kiteAccessToken !== undefined)
    return new BrokerSession(
      { accessToken: secrets.kiteAccessToken, source: 'env', loginAt: now() },
      now,
    );
  const where = file
    ? `${file} ${read.status === 'missing' ? 'does not exist' : 'cannot be used'}`
    : 'broker.tokenFile is not set';
  throw new MissingSecretError(
    `no Kite access token: KITE_ACCESS_TOKEN is not set and ${where}; run \`npx trade login\``,
  );
}

export interface TokenLifecycleOptions {
  config: Config;
  secrets: Secrets;
  session: BrokerSession;
  holders: readonly TokenHolder[];
  notifier: Pick<Notifier, 'deliver'>;
  logger: Logger;
  now?: () => number;
  alerts?: TokenAlertsOptions;
  /** The token file's stat fallback; fs.watch usually reports first. */
  pollMs?: number;
}

export interface TokenLifecycle {
  stop(): void;
}

/**
 * Keeps the worker's session current without a restart: a new token in the
 * file is handed to the REST client and the ticker the moment it appears,
 * and the session's end and approaching end are alerted.
 */
export function startTokenLifecycle(options: TokenLifecycleOptions): TokenLifecycle {
  const { config, secrets, session, holders, notifier, logger } = options;
  const now = options.now ?? Date.now;
  const file = config.broker.tokenFile;
  const alerts = new TokenAlerts(session, notifier, logger, { now, ...options.alerts });

  const adopt = (tokenFile: string) => {
    const read = readTokenFile(tokenFile);
    if (read.status === 'missing') {
      if (session.token.source === 'file')
        logger.info({ tokenFile }, 'token file removed; keeping the token in use');
      return;
    }
    complainAbout(read, tokenFile, logger);
    if (read.status !== 'ok' || read.token.accessToken === session.token.accessToken) return;
    if (read.token.apiKey !== secrets.kiteApiKey) {
      logger.error({ tokenFile }, 'token file holds a token for another api key; not used');
      return;
    }
    if (now() >= read.token.expiresAt) {
      logger.warn({ tokenFile }, 'token file holds an expired token; not used');
      return;
    }
    registerSecret(read.token.accessToken);
    for (const holder of holders) holder.setAccessToken(read.token.accessToken);
    session.renew(fromFile(read));
    logger.info(
      { tokenFile, userId: read.token.userId, expiresAtIst: istTimestamp(read.token.expiresAt) },
      'Kite session renewed from the token file; entries and exits resume',
    );
  };

  const watcher = file ? new TokenFileWatcher(file, () => adopt(file), options.pollMs) : undefined;
  if (file && watcher) {
    watcher.start();
    // A login between the session's opening and the watch's start is seen here.
    adopt(file);
  }
  alerts.start();
  return {
    stop() {
      watcher?.stop();
      alerts.stop();
    },
  };
}
