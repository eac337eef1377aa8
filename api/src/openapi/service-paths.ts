/** The web page, health, readiness, metrics, rollout counters and this document. */
import { json, operation, ref } from './building-blocks.js';

export function servicePaths(): Record<string, unknown> {
  return {
    '/': {
      get: operation(
        'webPage',
        'Operations',
        "The risk team's web app: one applicant, a portfolio, the model (bundled, no external assets)",
        {
          200: { description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } },
        },
        {
          description:
            "Open: the page and its bundle need no credential; the calls it makes do. A credential entered on the page (kept in the tab's sessionStorage) goes with each call, as Authorization: Bearer when it looks like a JWT, else as X-API-Key; a 401 or 403 asks for one.",
        },
      ),
    },
    '/healthz': {
      get: operation('liveness', 'Operations', 'Liveness', {
        200: { description: 'Alive', content: json(ref('Health')) },
      }),
    },
    '/readyz': {
      get: operation('readiness', 'Operations', 'Readiness: the live model is loaded and the server is not draining', {
        200: { description: 'Ready', content: json(ref('Readiness')) },
        503: { description: 'Not ready', content: json(ref('Readiness')) },
      }),
    },
    '/metrics': {
      get: operation('metrics', 'Operations', 'Prometheus metrics', {
        200: { description: 'Text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } },
      }),
    },
    '/rollout/stats': {
      get: operation(
        'rolloutStats',
        'Operations',
        "This process's counters per serving version and role since it started",
        {
          200: { description: 'The counters', content: json(ref('RolloutStats')) },
        },
      ),
    },
    '/openapi.json': {
      get: operation('openApi', 'Operations', 'This document', {
        200: { description: 'OpenAPI 3.1', content: json({ type: 'object' }) },
      }),
    },
  };
}
