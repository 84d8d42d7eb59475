import { DefaultLogger, Runtime } from '@temporalio/worker';

// Worker lifecycle INFO lines drown the test report; warnings still show.
Runtime.install({ logger: new DefaultLogger('WARN') });
