import { loadConfig } from '../config';
import { createLogger } from '../log';
import { defaultCredentials, startExchange } from './index';

/** `npm run exchange`: the paper exchange as its own process, configured like everything else. */
async function main(): Promise<void> {
  const config = loadConfig();
  const credentials = defaultCredentials();
  const log = createLogger({
    name: 'exchange',
    level: config.log.level,
    secrets: [credentials.apiKey, credentials.accessToken, credentials.apiSecret],
  });
  const exchange = await startExchange({ ...config.exchange, credentials });
  log.info(
    {
      restUrl: exchange.restUrl,
      tickerUrl: exchange.tickerUrl,
      session: config.exchange.session,
      seed: config.exchange.seed,
    },
    'paper exchange listening',
  );
  const stop = (signal: string) => {
    log.info({ signal }, 'paper exchange stopping');
    exchange.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'paper exchange failed to stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
