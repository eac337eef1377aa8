// Rollout: steady traffic while the model version is swapped and an API replica is restarted
// (run-local.sh does both; in a cluster, edit the LoanRiskModel or `kubectl rollout restart`).
// Zero-downtime means zero: a single failed request fails the run. With NEW_VERSION set, the
// run also fails unless that version answered at least one prediction.
//   BASE_URL=... k6 run rollout.js   RATE (default 50/s), DURATION (default 40s), NEW_VERSION
import { envDuration, envInt, SUMMARY_TREND_STATS } from './lib/config.js';
import { predictOne } from './lib/requests.js';

const RATE = envInt('RATE', 50);
const NEW_VERSION = __ENV.NEW_VERSION || '';

const thresholds = {
  http_req_failed: ['rate==0'],
  checks: ['rate==1'],
  http_req_duration: ['p(95)<250', 'p(99)<1000'],
};
if (NEW_VERSION) thresholds[`predictions_by_version{version:${NEW_VERSION}}`] = ['count>0'];

export const options = {
  summaryTrendStats: SUMMARY_TREND_STATS,
  scenarios: {
    rollout: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: envDuration('DURATION', '40s'),
      preAllocatedVUs: Math.max(10, Math.ceil(RATE / 5)),
      maxVUs: Math.max(50, RATE * 2),
    },
  },
  thresholds,
};

export default function () {
  predictOne(__VU * 1000000 + __ITER);
}
