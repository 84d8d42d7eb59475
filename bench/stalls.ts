import fs from 'node:fs';
import { busyBySecond, busyStretches, type CpuProfile } from './lib/cpu-profile';

/**
 * Where a thread's event loop was held: `npx tsx bench/stalls.ts FILE.cpuprofile [MIN_MS]`
 * on a profile `worker-profile` wrote (`PROFILE_CPU_SECONDS=90` spans a
 * reconciler run). Prints the busy ms of each second and every stretch of
 * MIN_MS (default 40) or more without an idle sample.
 */
const [file, minMs = '40'] = process.argv.slice(2);
if (!file) {
  console.error('usage: npx tsx bench/stalls.ts FILE.cpuprofile [MIN_MS]');
  process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
const seconds = busyBySecond(profile);
const stretches = busyStretches(profile, Number(minMs));
console.log(`busy ms by second: ${seconds.join(' ')}`);
console.log(
  `${stretches.length} stretches of ${minMs} ms or more; ${seconds.filter((ms) => ms >= 500).length} seconds busy half or more`,
);
for (const { atMs, ms, byCategory } of stretches)
  console.log(
    `${(atMs / 1000).toFixed(1)} s  ${ms} ms  ${byCategory
      .slice(0, 4)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
