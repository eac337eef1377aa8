// Smoke: does the API answer every route correctly under minimal load? Run before the others.
//   BASE_URL=http://127.0.0.1:8080 k6 run smoke.js        (DURATION, VUS to change the defaults)
import { sleep } from 'k6';
import { envDuration, envInt, SUMMARY_TREND_STATS } from './lib/config.js';
import { health, inferV2, predictBatch, predictOne } from './lib/requests.js';

export const options = {
  summaryTrendStats: SUMMARY_TREND_STATS,
  scenarios: {
    smoke: { executor: 'constant-vus', vus: envInt('VUS', 2), duration: envDuration('DURATION', '10s') },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<200', 'p(99)<500'],
    checks: ['rate>0.99'],
  },
};

export function setup() {
  for (const path of ['/healthz', '/readyz', '/v2/health/ready']) health(path);
}

export default function () {
  const i = __VU * 100000 + __ITER;
  predictOne(i);
  predictBatch(i, 10);
  inferV2(i);
  sleep(0.1);
}
