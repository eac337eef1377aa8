// The peers under the same load generator and connections, one after the other: MLServer's
// XGBoost runtime (OIP v2 infer, the encoded row as one FP32 tensor), Flask + gunicorn with
// 2 workers (POST /predict), and this API (POST /predict and OIP v2 infer). Prints the table
// and writes bench/.out/peers-results.json.
import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DenseEncoder, FEATURES } from '@peerloan/contracts';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';
import { CONNECTIONS, DURATION, f, load, start, startApi, stop } from './bench-driver.mjs';

const MODELS = process.argv[2];
const VENV = process.env.PEERS_VENV;
const version = (await readFile(join(MODELS, 'current'), 'utf8')).trim();
const versionDir = join(MODELS, version);
const manifest = JSON.parse(await readFile(join(versionDir, 'manifest.json'), 'utf8'));
const applicant = [...generateLoans({ rows: 1, seed: 7 })][0].record;
const encoded = Array.from(new DenseEncoder(manifest.encodedColumns).encode([applicant]), (v) =>
  Number.isNaN(v) ? null : v,
);
const mlserverBody = { inputs: [{ name: 'input-0', shape: [1, encoded.length], datatype: 'FP32', data: encoded }] };
const inferBody = {
  inputs: FEATURES.map((feature) => ({
    name: feature.name,
    shape: [1, 1],
    datatype: feature.kind === 'categorical' ? 'BYTES' : 'FP32',
    data: [applicant[feature.name] ?? ''],
  })),
};

/** One POST answered, to check a server serves the same trees before it is loaded. */
async function answer(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function measure(server, url, body) {
  await load(server, url, body, { duration: 2 }); // warm-up
  return load(server, url, body);
}

const results = { loadBefore: loadavg()[0], model: version };

// MLServer 1.7.1: its XGBoost runtime, one inference worker, XGBoost on one thread.
const mlserverDir = await mkdtemp(join(tmpdir(), 'mlserver-'));
await mkdir(join(mlserverDir, 'loan-risk'));
await writeFile(
  join(mlserverDir, 'settings.json'),
  JSON.stringify({ http_port: 18101, grpc_port: 18102, metrics_port: 18103, parallel_workers: 1 }),
);
await writeFile(
  join(mlserverDir, 'loan-risk', 'model-settings.json'),
  JSON.stringify({
    name: 'loan-risk',
    implementation: 'mlserver_xgboost.XGBoostModel',
    parameters: { uri: join(versionDir, 'xgboost-model.json') },
  }),
);
const mlserver = await start(
  join(VENV, 'bin/mlserver'),
  ['start', mlserverDir],
  { OMP_NUM_THREADS: '1' },
  'http://127.0.0.1:18101/v2/models/loan-risk/ready',
  { quiet: true },
);
const mlUrl = 'http://127.0.0.1:18101/v2/models/loan-risk/infer';
results.mlserverRaw = (await answer(mlUrl, mlserverBody)).outputs[0].data[0];
results.mlserver = await measure(mlserver, mlUrl, mlserverBody);
await stop(mlserver);

// Flask + gunicorn, 2 sync workers.
const flask = await start(
  join(VENV, 'bin/gunicorn'),
  ['-w', '2', '-b', '127.0.0.1:18104', '--chdir', new URL('./peers/', import.meta.url).pathname, 'flask_app:app'],
  { MODEL_VERSION_DIR: versionDir, OMP_NUM_THREADS: '1' },
  'http://127.0.0.1:18104/health',
  { quiet: true },
);
results.flaskProbability = (await answer('http://127.0.0.1:18104/predict', applicant)).probability;
results.flask = await measure(flask, 'http://127.0.0.1:18104/predict', applicant);
await stop(flask);

// This API.
const api = await startApi(
  new URL('../api/dist/src/main.js', import.meta.url).pathname,
  { PORT: '18105', MODEL_DIR: MODELS },
  'http://127.0.0.1:18105/readyz',
);
results.apiProbability = (await answer('http://127.0.0.1:18105/predict?explain=false', applicant)).probability;
results.api = await measure(api, 'http://127.0.0.1:18105/predict?explain=false', applicant);
results.apiExplained = await measure(api, 'http://127.0.0.1:18105/predict', applicant);
results.apiInfer = await measure(api, 'http://127.0.0.1:18105/v2/models/loan-risk/infer', inferBody);
await stop(api);
results.loadAfter = loadavg()[0];
if (Math.abs(results.flaskProbability - results.apiProbability) > 1e-5) {
  throw new Error(
    `the peers do not serve the same model: Flask ${results.flaskProbability}, this API ${results.apiProbability}`,
  );
}

const row = (name, r) => `| ${name} | ${f(r.reqPerSec)} | ${r.p50} | ${r.p99} | ${f(r.cpuUsPerRequest)} |`;
const ratio = (a, b) =>
  `${f(a.reqPerSec / b.reqPerSec, 2)}x req/s, ${f(b.cpuUsPerRequest / a.cpuUsPerRequest, 2)}x less CPU per request`;
const table = [
  `Machine: ${cpus().length} cores (${cpus()[0].model}); autocannon on the same machine, ${CONNECTIONS} connections, ${DURATION} s per line after 2 s of warm-up; model ${version}; 1-minute load average ${f(results.loadBefore, 2)} before, ${f(results.loadAfter, 2)} after. Server CPU counts the server's whole process tree (gunicorn's and MLServer's workers too).`,
  '',
  '| server, one applicant per request | req/s | p50 ms | p99 ms | server CPU µs/request |',
  '| --- | ---: | ---: | ---: | ---: |',
  row('MLServer 1.7.1 + mlserver-xgboost, OIP v2 infer (encoded row, FP32 [1,C])', results.mlserver),
  row('Flask + gunicorn (2 sync workers), POST /predict', results.flask),
  row('this API, POST /predict, explain=false', results.api),
  row('this API, POST /predict, with reasons (the default)', results.apiExplained),
  row('this API, OIP v2 infer (one tensor per feature)', results.apiInfer),
  '',
  `- this API (/predict, explain=false) vs MLServer: ${ratio(results.api, results.mlserver)}; OIP v2 infer vs MLServer's OIP v2 infer: ${ratio(results.apiInfer, results.mlserver)}`,
  `- this API (/predict, explain=false) vs Flask + gunicorn: ${ratio(results.api, results.flask)}`,
  `- same trees: Flask ${results.flaskProbability.toFixed(6)} and this API ${results.apiProbability.toFixed(6)} for the applicant (calibrated); MLServer answers XGBoost's uncalibrated ${Number(results.mlserverRaw).toFixed(6)}`,
].join('\n');
await mkdir(new URL('./.out/', import.meta.url), { recursive: true });
await writeFile(new URL('./.out/peers-results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
console.log(table);
