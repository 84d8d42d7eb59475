import { busyBySecond, busyStretches, type CpuProfile } from '../../bench/lib/cpu-profile';

const frame = (id: number, functionName: string, url = '') => ({
  id,
  callFrame: { functionName, url, lineNumber: 0 },
});

/** Idle 5 ms; gRPC 10 + 20 ms and GC 30 ms back to back; idle 5 ms; gRPC 45 ms; idle. */
const profile: CpuProfile = {
  nodes: [
    frame(1, '(idle)'),
    frame(2, 'makeUnaryRequest', '/app/node_modules/@grpc/grpc-js/build/src/client.js'),
    frame(3, '(garbage collector)'),
  ],
  startTime: 0,
  endTime: 110_000,
  samples: [1, 2, 2, 3, 1, 2, 1],
  timeDeltas: [0, 5_000, 10_000, 20_000, 30_000, 5_000, 45_000, 0],
};

describe('busyStretches', () => {
  it('joins the samples between idle ones into one stretch, with its time by category', () => {
    expect(busyStretches(profile, 50)).toEqual([
      {
        atMs: 5,
        ms: 60,
        byCategory: [
          ['@grpc/grpc-js', 30],
          ['(garbage collector)', 30],
        ],
      },
    ]);
    expect(busyStretches(profile, 40).map(({ atMs, ms }) => [atMs, ms])).toEqual([
      [5, 60],
      [70, 45],
    ]);
  });

  it('counts busy time by second, idle left out', () => {
    expect(busyBySecond(profile)).toEqual([105]);
  });
});
