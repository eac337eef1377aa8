/** Reads one API pod's GET /rollout/stats (contracts/src/rollout.ts) and checks its shape. */
import {
  ROLLOUT_LATENCY_BUCKETS_MS,
  ROLLOUT_SCORE_BINS,
  type RolloutStats,
  type VersionStats,
} from '@peerloan/contracts';
import { RolloutStatsError } from '../errors/rollout-stats-error.js';

/** A pod that does not answer within this long is left out of this pass, not waited for. */
const SCRAPE_TIMEOUT_MS = 3_000;

export type StatsScraper = (url: string) => Promise<RolloutStats>;

export const fetchRolloutStats: StatsScraper = async (url) => {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS), headers: { accept: 'application/json' } });
  } catch (err) {
    throw new RolloutStatsError(`GET ${url}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new RolloutStatsError(`GET ${url}: HTTP ${res.status}`);
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new RolloutStatsError(`GET ${url}: the answer is not JSON`);
  }
  return parseRolloutStats(body, url);
};

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isCounts = (v: unknown, length: number): v is number[] =>
  Array.isArray(v) && v.length === length && v.every(isCount);

function versionProblem(value: unknown, role: string): string | undefined {
  if (typeof value !== 'object' || value === null) return `${role} is not an object`;
  const v = value as Partial<VersionStats>;
  if (typeof v.version !== 'string' || !v.version) return `${role}.version is not a version name`;
  if (!isCount(v.rows) || !isCount(v.errors)) return `${role}.rows and ${role}.errors must be counts`;
  if (!isCounts(v.latencyBuckets, ROLLOUT_LATENCY_BUCKETS_MS.length + 1))
    return `${role}.latencyBuckets must be ${ROLLOUT_LATENCY_BUCKETS_MS.length + 1} counts`;
  if (!isCounts(v.scoreBins, ROLLOUT_SCORE_BINS)) return `${role}.scoreBins must be ${ROLLOUT_SCORE_BINS} counts`;
  return undefined;
}

export function parseRolloutStats(value: unknown, where: string): RolloutStats {
  const s = value as Partial<RolloutStats> | null;
  const problem =
    typeof s !== 'object' || s === null
      ? 'not a JSON object'
      : typeof s.since !== 'string' || Number.isNaN(Date.parse(s.since))
        ? '"since" is not an ISO time'
        : (versionProblem(s.live, 'live') ??
          (s.candidate === undefined
            ? undefined
            : (versionProblem(s.candidate, 'candidate') ??
              (!['shadow', 'canary'].includes(s.candidate.mode)
                ? 'candidate.mode must be shadow or canary'
                : !isCount(s.candidate.agreements)
                  ? 'candidate.agreements must be a count'
                  : undefined))));
  if (problem) throw new RolloutStatsError(`${where}: not the RolloutStats contract: ${problem}`);
  return s as RolloutStats;
}
