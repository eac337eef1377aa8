// Spike: a quiet baseline, a sudden burst far above it, then quiet again: does the API (and the
// HPA behind the Ingress) survive the jump and recover?
//   BASE_URL=... k6 run spike.js     BASE_RATE (default 20/s), SPIKE_RATE (default 800/s)
import { envInt, SUMMARY_TREND_STATS } from './lib/config.js';
import { mixedTraffic } from './lib/requests.js';

const BASE = envInt('BASE_RATE', 20);
const SPIKE = envInt('SPIKE_RATE', 800);

export const options = {
  summaryTrendStats: SUMMARY_TREND_STATS,
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: BASE,
      timeUnit: '1s',
      preAllocatedVUs: Math.max(20, Math.ceil(SPIKE / 10)),
      maxVUs: Math.max(100, SPIKE),
      stages: [
        { target: BASE, duration: '20s' },
        { target: SPIKE, duration: '5s' },
        { target: SPIKE, duration: '30s' },
        { target: BASE, duration: '5s' },
        { target: BASE, duration: '30s' },
      ],
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<500', 'p(99)<2000'],
  },
};

export default function () {
  mixedTraffic(__VU * 1000000 + __ITER);
}
