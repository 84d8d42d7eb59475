import {
  missingWorkerProcessEnv,
  WORKER_PROCESS_ENV,
  withWorkerProcessEnv,
} from '../../src/workers/process-env';

describe("the worker process's settings", () => {
  it('are added to an environment that has neither', () => {
    const env = withWorkerProcessEnv({ PATH: '/bin' });
    expect(env).toEqual({ PATH: '/bin', ...WORKER_PROCESS_ENV });
    expect(missingWorkerProcessEnv(env)).toEqual([]);
  });

  it("keep the caller's Node options after ours, so a later flag of theirs wins", () => {
    const env = withWorkerProcessEnv({ NODE_OPTIONS: '--inspect=0 --max-semi-space-size=16' });
    expect(env.NODE_OPTIONS).toBe(
      `${WORKER_PROCESS_ENV.NODE_OPTIONS} --inspect=0 --max-semi-space-size=16`,
    );
  });

  it("keep the caller's allocator setting", () => {
    expect(withWorkerProcessEnv({ MALLOC_ARENA_MAX: '8' }).MALLOC_ARENA_MAX).toBe('8');
  });

  it('name what a worker was started without', () => {
    expect(missingWorkerProcessEnv({})).toEqual([
      'MALLOC_ARENA_MAX',
      'NODE_OPTIONS=--max-semi-space-size',
    ]);
    expect(missingWorkerProcessEnv({ NODE_OPTIONS: '--max-semi-space-size=4' })).toEqual([
      'MALLOC_ARENA_MAX',
    ]);
  });
});
