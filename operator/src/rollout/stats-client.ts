/** Reads one API pod's GET /rollout/stats and checks it against the contract's schema (contracts/src/rollout.ts). */
import { payloadCheck, RolloutStatsSchema, type RolloutStats } from '@peerloan/contracts';
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

const checkStats = payloadCheck(RolloutStatsSchema);

/** The answer as RolloutStats, or a RolloutStatsError naming each field that is not the contract. */
export function parseRolloutStats(value: unknown, where: string): RolloutStats {
  const checked = checkStats(value);
  if ('value' in checked) return checked.value;
  throw new RolloutStatsError(`${where}: not the RolloutStats contract: ${checked.problems.join('; ')}`);
}
