/**
 * `npm run test:faults` sets FAULTS_FULL=1 for the full-size runs; plain
 * `npm test` (CI) runs a reduced size that still crashes the worker several
 * times and keeps each file within about two minutes.
 */
export const FULL_SIZE = process.env.FAULTS_FULL === '1';

/** Seeds the kill schedule; printed with the results so a failing run can be repeated. */
export const faultSeed = (): number => Number(process.env.FAULTS_SEED ?? Date.now() % 2 ** 31);
