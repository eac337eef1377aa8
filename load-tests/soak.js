// Soak: moderate steady traffic for a long time, to surface leaks, growing latency and slow
// degradation (memory, connections, the prediction log's queue).
//   BASE_URL=... k6 run soak.js      RATE (default 100/s), DURATION (default 30m)
import { envDuration, envInt, SUMMARY_TREND_STATS } from './lib/config.js';
import { mixedTraffic } from './lib/requests.js';

const RATE = envInt('RATE', 100);

export const options = {
  summaryTrendStats: SUMMARY_TREND_STATS,
  scenarios: {
    soak: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: envDuration('DURATION', '30m'),
      // Enough VUs up front: starting one mid-run can drop an iteration.
      preAllocatedVUs: Math.max(20, Math.ceil(RATE / 2)),
      maxVUs: Math.max(50, RATE * 2),
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.001'],
    http_req_duration: ['p(95)<50', 'p(99)<200'],
    dropped_iterations: ['count<10'],
  },
};

export default function () {
  mixedTraffic(__VU * 1000000 + __ITER);
}
