// Stress: arrivals ramp well past the average load to find where latency bends; the thresholds
// are looser than load.js, the run fails only when the API starts failing or crawling.
//   BASE_URL=... k6 run stress.js    PEAK_RATE (requests/s, default 1000), STAGE (default 1m)
import { envDuration, envInt, SUMMARY_TREND_STATS } from './lib/config.js';
import { mixedTraffic } from './lib/requests.js';

const PEAK = envInt('PEAK_RATE', 1000);
const STAGE = envDuration('STAGE', '1m');

export const options = {
  summaryTrendStats: SUMMARY_TREND_STATS,
  scenarios: {
    stress: {
      executor: 'ramping-arrival-rate',
      startRate: Math.ceil(PEAK / 10),
      timeUnit: '1s',
      preAllocatedVUs: Math.max(20, Math.ceil(PEAK / 10)),
      maxVUs: Math.max(100, PEAK),
      stages: [
        { target: Math.ceil(PEAK / 4), duration: STAGE },
        { target: Math.ceil(PEAK / 2), duration: STAGE },
        { target: PEAK, duration: STAGE },
        { target: PEAK, duration: STAGE },
        { target: 0, duration: '10s' },
      ],
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<250', 'p(99)<1000'],
  },
};

export default function () {
  mixedTraffic(__VU * 1000000 + __ITER);
}
