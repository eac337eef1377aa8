/**
 * prom-client's default process and Node.js metrics, registered one by one so that the API can
 * leave out the GC duration histogram. Why: to time each GC, prom-client observes Node's 'gc'
 * performance entries, and Node 20 builds every entry with wrappers for its deprecated fields
 * (DEP0152) that end up in V8's old generation. At 10,000 one-row requests a second (about 33
 * scavenges a second) that was 0.14 MB/s of old-generation garbage, most of what the API promoted,
 * and each mark-compact it brings puts a few hundred requests over 4 ms (docs/BENCHMARKS.md, run K).
 * Every other default metric stays (the event-loop lag shows GC pauses as requests feel them);
 * METRICS_GC_DURATION=true brings the histogram back.
 */
import { createRequire } from 'node:module';
import { collectDefaultMetrics, type Registry } from 'prom-client';

type DefaultMetric = (registry: Registry, config: Readonly<Record<string, unknown>>) => void;

/** prom-client 15's default metrics but `gc`, by module (lib/defaultMetrics.js); a test compares the lists. */
export const DEFAULT_METRICS_WITHOUT_GC = [
  'processCpuTotal',
  'processStartTime',
  'osMemoryHeap',
  'processOpenFileDescriptors',
  'processMaxFileDescriptors',
  'eventLoopLag',
  'processResources',
  'processHandles',
  'processRequests',
  'heapSizeAndUsed',
  'heapSpacesSizeAndUsed',
  'version',
] as const;

/** collectDefaultMetrics' own default. */
const EVENT_LOOP_PRECISION_MS = 10;

const require = createRequire(import.meta.url);

export function registerProcessMetrics(registry: Registry, { gcDuration }: { readonly gcDuration: boolean }): void {
  if (gcDuration) {
    collectDefaultMetrics({ register: registry });
    return;
  }
  for (const name of DEFAULT_METRICS_WITHOUT_GC) {
    const register = require(`prom-client/lib/metrics/${name}`) as DefaultMetric;
    register(registry, { eventLoopMonitoringPrecision: EVENT_LOOP_PRECISION_MS });
  }
}
