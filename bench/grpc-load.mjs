// gRPC load for the OIP benchmarks (bench:grpc, bench:peers): a @grpc/grpc-js client of
// inference.GRPCInferenceService over the .proto the API itself loads, closed-loop lines (calls
// in flight each sent again as soon as it is answered) and fixed-rate lines (call i due at i/rate
// seconds, sent then by a 1 ms tick as bench/open-loop.mjs sends HTTP requests, its latency
// counted from when it was sent). Each line gives the server's CPU per call from /proc.
import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import { inferencePackage } from '../api/dist/src/grpc/inference-proto.js';
import { CONNECTIONS, DURATION, cpuSeconds } from './bench-driver.mjs';

/** A ModelInfer caller of the OIP server at `address` (host:port), and its close(). */
export function grpcInferClient(address) {
  const { inference } = loadPackageDefinition(inferencePackage());
  const client = new inference.GRPCInferenceService(address, credentials.createInsecure());
  const modelInfer = (request) =>
    new Promise((resolve, reject) =>
      client.ModelInfer(request, (err, answer) => (err ? reject(err) : resolve(answer))),
    );
  return { modelInfer, close: () => client.close() };
}

/** Nearest-rank percentiles of latencies (ms), rate and CPU per call of one line. */
function summary(server, cpuBefore, latencies, seconds) {
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    reqPerSec: latencies.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    requests: latencies.length,
    cpuUsPerRequest: ((cpuSeconds(server) - cpuBefore) * 1e6) / latencies.length,
  };
}

/** `inFlight` callers each sending `request` again as soon as it is answered, for `seconds`; fails on any error. */
export async function grpcLoad(server, modelInfer, request, { inFlight = CONNECTIONS, seconds = DURATION } = {}) {
  const cpuBefore = cpuSeconds(server);
  const latencies = [];
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        const sent = performance.now();
        await modelInfer(request);
        latencies.push(performance.now() - sent);
      }
    }),
  );
  return summary(server, cpuBefore, latencies, seconds);
}

/** `request` at `rate` calls per second for `warmup` + `seconds`, open loop; latencies of the last `seconds`. */
export async function grpcFixedRate(server, modelInfer, request, { rate, seconds = DURATION, warmup = 2 }) {
  const unrecorded = Math.round(rate * warmup);
  const total = unrecorded + Math.round(rate * seconds);
  const latencies = [];
  const calls = [];
  let cpuBefore = 0;
  const started = performance.now();
  function send(index) {
    if (index === unrecorded) cpuBefore = cpuSeconds(server);
    const sent = performance.now();
    calls.push(
      modelInfer(request).then(() => {
        if (index >= unrecorded) latencies.push(performance.now() - sent);
      }),
    );
  }
  await new Promise((resolve) => {
    let sentCount = 0;
    const ticker = setInterval(() => {
      const dueNow = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000));
      for (; sentCount < dueNow; sentCount++) send(sentCount);
      if (sentCount === total) {
        clearInterval(ticker);
        resolve();
      }
    }, 1);
  });
  await Promise.all(calls);
  return { offered: rate, ...summary(server, cpuBefore, latencies, seconds) };
}
