/**
 * Credentials come only from the environment, never from YAML, so a config
 * file can be committed, pasted into an issue or logged without leaking them.
 */
export interface Secrets {
  kiteApiKey: string;
  /** Absent only when the caller said the token may come from broker.tokenFile instead. */
  kiteAccessToken?: string;
  /** Signs `trade login`'s checksum; needed by nothing else. */
  kiteApiSecret?: string;
  webhookSecret: string | undefined;
  /** Alert channels (src/adapters/notify); each needed only when its channel is enabled. */
  telegramBotToken?: string;
  alertWebhookUrl?: string;
  smtpPassword?: string;
}

/** Well-known credentials of the local paper exchange; worthless anywhere else. */
export const PAPER_CREDENTIALS = {
  apiKey: 'paper_api_key',
  accessToken: 'paper_access_token',
  apiSecret: 'paper_api_secret',
} as const;

/** The only environment variables secrets are read from. */
export const SECRET_ENV_NAMES = [
  'KITE_API_KEY',
  'KITE_ACCESS_TOKEN',
  'KITE_API_SECRET',
  'TRADER_WEBHOOK_SECRET',
  'TELEGRAM_BOT_TOKEN',
  'TRADER_ALERT_WEBHOOK_URL',
  'SMTP_PASSWORD',
] as const;

export class MissingSecretError extends Error {}

/** The webhook's secret alone: the webhook holds no broker credentials, in any mode. */
export const loadWebhookSecret = (env: NodeJS.ProcessEnv = process.env): string | undefined =>
  env.TRADER_WEBHOOK_SECRET || undefined;

export interface SecretOptions {
  /** A token file (`npx trade login`) may stand in for KITE_ACCESS_TOKEN; its reader checks for one. */
  accessTokenOptional?: boolean;
}

export function loadSecrets(
  mode: 'paper' | 'live' | 'signals-only',
  env: NodeJS.ProcessEnv = process.env,
  { accessTokenOptional = false }: SecretOptions = {},
): Secrets {
  const paper = mode === 'paper';
  const apiKey = env.KITE_API_KEY ?? (paper ? PAPER_CREDENTIALS.apiKey : undefined);
  const accessToken = env.KITE_ACCESS_TOKEN ?? (paper ? PAPER_CREDENTIALS.accessToken : undefined);
  const missing = [
    !apiKey && 'KITE_API_KEY',
    !accessToken && !accessTokenOptional && 'KITE_ACCESS_TOKEN',
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new MissingSecretError(
      `broker.mode is ${mode} but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set in the environment`,
    );
  }
  return {
    kiteApiKey: apiKey as string,
    kiteAccessToken: accessToken || undefined,
    kiteApiSecret: env.KITE_API_SECRET || (paper ? PAPER_CREDENTIALS.apiSecret : undefined),
    webhookSecret: loadWebhookSecret(env),
    telegramBotToken: env.TELEGRAM_BOT_TOKEN || undefined,
    alertWebhookUrl: env.TRADER_ALERT_WEBHOOK_URL || undefined,
    smtpPassword: env.SMTP_PASSWORD || undefined,
  };
}

/** Every secret value in play, for log scrubbing and history audits. */
export const secretValues = (s: Partial<Secrets>): string[] =>
  [
    s.kiteApiKey,
    s.kiteAccessToken,
    s.kiteApiSecret,
    s.webhookSecret,
    s.telegramBotToken,
    s.alertWebhookUrl,
    s.smtpPassword,
  ].filter((v): v is string => typeof v === 'string' && v.length >= 6);
