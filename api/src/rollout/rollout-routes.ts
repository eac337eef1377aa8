/**
 * GET /rollout/stats: this pod's cumulative counters per serving version and role
 * (contracts/src/rollout.ts RolloutStats), read by the operator from every ready API pod to
 * judge a candidate. 503 while no live model is loaded (such a pod is not ready, nor read).
 */
import { Router } from 'express';
import type { ServingVersions } from './serving-versions.js';

export function rolloutRoutes(versions: ServingVersions): Router {
  const router = Router();
  router.get('/rollout/stats', (_req, res) => {
    res.json(versions.stats());
  });
  return router;
}
