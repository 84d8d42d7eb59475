import { loadConfig, loadWebhookSecret, secretValues } from '../config';
import { createLogger } from '../log';
import { connectClient } from './connect';
import { assertSecretFor, startWebhook, WEBHOOK_PATHS } from './webhook';
import { webhookObservability } from './webhook-observability';

/** `npm run webhook`: signal intake over HTTP until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  // Not the broker's credentials: the webhook only starts workflows, and it faces the internet.
  const secret = loadWebhookSecret();
  const logger = createLogger({
    name: 'webhook',
    level: config.log.level,
    secrets: secretValues({ webhookSecret: secret }),
  });
  // Before connecting, so a live setup without a secret fails for that reason and no other.
  assertSecretFor(config, secret);
  const { client, close: closeClient } = await connectClient(config);
  const webhook = await startWebhook({
    config,
    client,
    secret,
    logger,
    observability: webhookObservability(config, client),
  });
  if (!secret) {
    logger.warn('TRADER_WEBHOOK_SECRET is not set: accepting unauthenticated signals (paper mode)');
  }
  logger.info({ url: webhook.url, paths: WEBHOOK_PATHS }, 'webhook listening');
  const stop = async () => {
    await webhook.close();
    await closeClient();
    logger.info('webhook stopped');
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
