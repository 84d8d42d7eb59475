export const TEST_NAMESPACES = Array.from({ length: 8 }, (_, i) => `test-${i + 1}`);

/** The namespace of this jest worker; files on one worker run one after another. */
export const workerNamespace = (): string => `test-${process.env.JEST_WORKER_ID ?? '1'}`;
