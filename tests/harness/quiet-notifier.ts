import pino from 'pino';
import { createNotifyActivities } from '../../src/activities/notify';
import { loadConfig } from '../../src/config';

/**
 * The real notify activity with every channel off, for test workers that run
 * the account book or the reconciler without a broker: their alerts complete
 * (sent nowhere) instead of waiting for a worker that has the activity.
 */
export const quietNotifyActivities = () =>
  createNotifyActivities({
    config: loadConfig({ env: {} }),
    secrets: { kiteApiKey: 'unused', webhookSecret: undefined },
    logger: pino({ level: 'silent' }),
  });
