// Average load: a constant arrival rate of production-like traffic (mostly single loans, one
// request in ten a batch). The rate is fixed, so slow answers show up as latency, not as a
// lower request count (an open model).
//   BASE_URL=... k6 run load.js      RATE (requests/s, default 200), DURATION (default 2m)
import { envDuration, envInt, SUMMARY_TREND_STATS } from './lib/config.js';
import { mixedTraffic } from './lib/requests.js';

const RATE = envInt('RATE', 200);

export const options = {
  summaryTrendStats: SUMMARY_TREND_STATS,
  scenarios: {
    average_load: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: envDuration('DURATION', '2m'),
      // Enough VUs up front: starting one mid-run can drop an iteration.
      preAllocatedVUs: Math.max(20, Math.ceil(RATE / 4)),
      maxVUs: Math.max(50, RATE),
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.001'],
    'http_req_duration{name:POST /predict}': ['p(95)<50', 'p(99)<150'],
    dropped_iterations: ['count<10'],
    checks: ['rate>0.999'],
  },
};

export default function () {
  mixedTraffic(__VU * 1000000 + __ITER);
}
