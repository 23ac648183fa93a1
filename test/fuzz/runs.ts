/**
 * Generated cases per property: a hundred in `npm test`, where a broken invariant usually shows
 * at once; `npm run test:e2e` sets FUZZ_RUNS=1000 for the full search.
 */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
