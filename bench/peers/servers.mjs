// The servers of bench:peers, one entry each: how it starts (its venv under
// ~/.cache/peerloan-bench-peers, its workers and threads: two processes doing the work where
// the peer uses processes, one thread each, no per-request log) and its lines (transport,
// request format, how its answer gives probabilities). Ports 18101-18130.
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, startApi } from '../bench-driver.mjs';
import {
  applicantBody,
  encodedTensors,
  featureTensorsBody,
  featureTensorsGrpc,
  grpcTensorOf,
  instancesBody,
  predictionsOf,
  tensorOf,
} from './requests.mjs';

const HERE = new URL('./', import.meta.url).pathname;
const MODEL_NAME = 'loan-risk';
/** One thread for XGBoost and OpenMP, no Python warnings on stderr. */
const PYTHON_ENV = { OMP_NUM_THREADS: '1', PYTHONWARNINGS: 'ignore' };

/** A fresh folder for a server's settings or session files, removed when the benchmark exits. */
async function scratch(prefix) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const rest = (label, url, body, probabilities, extra = {}) => ({
  transport: 'REST',
  label,
  url,
  body,
  probabilities,
  ...extra,
});
const grpc = (label, address, request, probabilities) => ({
  transport: 'gRPC',
  label,
  address,
  request,
  probabilities,
});

/** This API: POST /predict without and with reasons, OIP v2 infer over REST and gRPC. */
export const api = {
  key: 'api',
  name: 'this API (one Node process, onnxruntime on 1 thread)',
  start: ({ modelsRoot }) =>
    startApi(
      new URL('../../api/dist/src/main.js', import.meta.url).pathname,
      { PORT: '18105', GRPC_PORT: '18109', MODEL_DIR: modelsRoot },
      'http://127.0.0.1:18105/readyz',
    ),
  lines: () => [
    rest('POST /predict, explain=false', 'http://127.0.0.1:18105/predict?explain=false', applicantBody, predictionsOf),
    rest('POST /predict, with reasons (the default)', 'http://127.0.0.1:18105/predict', applicantBody, predictionsOf, {
      oneRowOnly: true,
    }),
    rest(
      'OIP v2 infer, a tensor per feature',
      `http://127.0.0.1:18105/v2/models/${MODEL_NAME}/infer`,
      featureTensorsBody,
      tensorOf,
    ),
    grpc('OIP v2 ModelInfer, typed tensor per feature', '127.0.0.1:18109', featureTensorsGrpc, grpcTensorOf),
  ],
};

/** MLServer 1.7.1's XGBoost runtime: one inference worker beside its front process (2 workers were slower here). */
export const mlserver = {
  key: 'mlserver',
  name: 'MLServer 1.7.1 + mlserver-xgboost (1 inference worker)',
  async start({ venvs, versionDir }) {
    const dir = await scratch('mlserver-');
    await mkdir(join(dir, MODEL_NAME));
    const settings = { http_port: 18101, grpc_port: 18102, metrics_port: 18103, parallel_workers: 1 };
    await writeFile(join(dir, 'settings.json'), JSON.stringify(settings));
    const modelSettings = {
      name: MODEL_NAME,
      implementation: 'mlserver_xgboost.XGBoostModel',
      parameters: { uri: join(versionDir, 'xgboost-model.json') },
    };
    await writeFile(join(dir, MODEL_NAME, 'model-settings.json'), JSON.stringify(modelSettings));
    return start(
      join(venvs, 'mlserver/bin/mlserver'),
      ['start', dir],
      PYTHON_ENV,
      `http://127.0.0.1:18101/v2/models/${MODEL_NAME}/ready`,
      {
        quiet: true,
      },
    );
  },
  lines: ({ manifest }) => {
    const encoded = encodedTensors(manifest, MODEL_NAME);
    return [
      rest(
        'OIP v2 infer, encoded FP32 [N, C]',
        `http://127.0.0.1:18101/v2/models/${MODEL_NAME}/infer`,
        encoded.body,
        encoded.fromJson,
      ),
      grpc('OIP v2 ModelInfer, encoded FP32 [N, C]', '127.0.0.1:18102', encoded.grpc, encoded.fromGrpc),
    ];
  },
};

/** A seed-style Flask app under gunicorn, 2 sync workers. */
export const flask = {
  key: 'flask',
  name: 'Flask + gunicorn (2 sync workers)',
  start: ({ venvs, versionDir }) =>
    start(
      join(venvs, 'flask/bin/gunicorn'),
      ['-w', '2', '-b', '127.0.0.1:18104', '--no-control-socket', '--chdir', HERE, 'flask_app:app'],
      { ...PYTHON_ENV, MODEL_VERSION_DIR: versionDir },
      'http://127.0.0.1:18104/health',
      { quiet: true },
    ),
  lines: () => [rest('POST /predict', 'http://127.0.0.1:18104/predict', applicantBody, predictionsOf)],
};

/** KServe's ModelServer with a custom kserve.Model: 2 uvicorn REST workers, gRPC in the main process. */
export const kserve = {
  key: 'kserve',
  name: 'KServe 0.21.0 ModelServer, custom kserve.Model (2 REST workers; gRPC in its main process)',
  start: ({ venvs, versionDir }) =>
    start(
      join(venvs, 'kserve/bin/python'),
      [
        join(HERE, 'kserve_model.py'),
        ...['--model_dir', versionDir, '--http_port', '18110', '--grpc_port', '18111', '--workers', '2'],
        ...['--enable_latency_logging', 'False', '--log_config_file', join(HERE, 'kserve_logging.json')],
      ],
      PYTHON_ENV,
      `http://127.0.0.1:18110/v2/models/${MODEL_NAME}/ready`,
      { quiet: true },
    ),
  lines: () => [
    rest(
      'V1 predict, {"instances": [...]}',
      `http://127.0.0.1:18110/v1/models/${MODEL_NAME}:predict`,
      instancesBody,
      predictionsOf,
    ),
    rest(
      'OIP v2 infer, a tensor per feature',
      `http://127.0.0.1:18110/v2/models/${MODEL_NAME}/infer`,
      featureTensorsBody,
      tensorOf,
    ),
    grpc('OIP v2 ModelInfer, typed tensor per feature', '127.0.0.1:18111', featureTensorsGrpc, grpcTensorOf),
  ],
};

/** A BentoML service: 2 workers, 1 thread each. */
export const bentoml = {
  key: 'bentoml',
  name: 'BentoML 1.4.40 service (2 workers, 1 thread each)',
  start: ({ venvs, versionDir }) =>
    start(
      join(venvs, 'bentoml/bin/bentoml'),
      ['serve', 'bento_service:LoanRisk', '--working-dir', HERE, '--host', '127.0.0.1', '--port', '18120'],
      { ...PYTHON_ENV, MODEL_VERSION_DIR: versionDir, BENTOML_DO_NOT_TRACK: 'true' },
      'http://127.0.0.1:18120/readyz',
      { quiet: true },
    ),
  lines: () => [
    rest('POST /predict, {"instances": [...]}', 'http://127.0.0.1:18120/predict', instancesBody, predictionsOf),
  ],
};

/** Ray Serve: a local Ray of 2 CPUs, 2 replicas of 1 CPU behind its HTTP proxy. */
export const ray = {
  key: 'ray',
  name: 'Ray Serve 2.60.0 (2 replicas, 1 CPU each, behind its HTTP proxy)',
  async start({ venvs, versionDir }) {
    const rayTmp = await scratch('ray-');
    return start(
      join(venvs, 'ray/bin/python'),
      [join(HERE, 'ray_app.py')],
      {
        ...PYTHON_ENV,
        MODEL_VERSION_DIR: versionDir,
        PORT: '18130',
        RAY_TMP: rayTmp,
        PYTHONPATH: HERE,
        RAY_USAGE_STATS_ENABLED: '0',
        RAY_AUTH_MODE: 'disabled',
      },
      'http://127.0.0.1:18130/',
      { quiet: true },
    );
  },
  lines: () => [rest('POST /, {"instances": [...]}', 'http://127.0.0.1:18130/', instancesBody, predictionsOf)],
};

/** Every peer, this API first (its answers are the reference). */
export const SERVERS = [api, mlserver, flask, kserve, bentoml, ray];
