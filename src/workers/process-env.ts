/**
 * The worker process's environment beyond our config: both are read before
 * any of our code runs, so whoever starts the worker sets them (`npm start`,
 * compose's worker service, and the tests' and the bench's WorkerProcess;
 * tests/platform/docker-compose.test.ts holds compose to this). Their
 * measured effect is in bench/README.md, session 9.
 *
 * - `MALLOC_ARENA_MAX`: glibc gives threads that contend for malloc arenas of
 *   their own, up to eight per core, and memory freed into one arena is not
 *   reused by another. The worker runs many threads (the SDK core's runtime,
 *   a V8 isolate per workflow thread, libuv's pool), so its RSS held freed
 *   memory spread over arenas.
 * - `--max-semi-space-size` (MiB): the cap on each V8 isolate's young
 *   generation (16 MiB on this Node), and the worker has three isolates (the
 *   main thread and two workflow threads). A parked position allocates
 *   little, so smaller young generations cost no measurable CPU here.
 */
export const WORKER_PROCESS_ENV = {
  MALLOC_ARENA_MAX: '2',
  NODE_OPTIONS: '--max-semi-space-size=4',
} as const;

/** Node options from several sources, all applied; a later one wins where two set the same flag. */
export const joinNodeOptions = (...options: (string | undefined)[]): string =>
  options.filter(Boolean).join(' ');

/** `env` with the worker's process settings, keeping any Node options it already has. */
export function withWorkerProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...env,
    MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? WORKER_PROCESS_ENV.MALLOC_ARENA_MAX,
    NODE_OPTIONS: joinNodeOptions(WORKER_PROCESS_ENV.NODE_OPTIONS, env.NODE_OPTIONS),
  };
}

const WORKER_NODE_FLAGS = WORKER_PROCESS_ENV.NODE_OPTIONS.split(' ').map((o) => o.split('=')[0]);

/** What of WORKER_PROCESS_ENV this process was started without, for a warning at start. */
export function missingWorkerProcessEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const given = (env.NODE_OPTIONS ?? '').split(/\s+/).map((o) => o.split('=')[0]);
  return [
    ...(env.MALLOC_ARENA_MAX === undefined ? ['MALLOC_ARENA_MAX'] : []),
    ...WORKER_NODE_FLAGS.filter((flag) => !given.includes(flag)).map((f) => `NODE_OPTIONS=${f}`),
  ];
}
