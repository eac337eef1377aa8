/**
 * The real entrypoint (node api/dist/src/main.js) as Kubernetes runs it: requests in flight when
 * SIGTERM arrives are answered, new connections are refused, and the process exits 0.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request, type IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { before, describe, test } from 'node:test';
import { eventually, metricValue } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { applicants, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

interface LogLine {
  readonly msg: string;
  readonly url?: string;
}

/** Starts main.js and collects its JSON log lines; resolves with the URL it listens on. */
async function startMain(modelDir: string): Promise<{ child: ChildProcess; url: string; logs: LogLine[] }> {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, PORT: '0', GRPC_PORT: '0', HOST: '127.0.0.1', MODEL_DIR: modelDir, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: LogLine[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => logs.push(JSON.parse(line) as LogLine));
  await eventually('the server listens', () => logs.some((l) => l.msg === 'listening'));
  const url = logs.find((l) => l.msg === 'listening')?.url;
  assert.ok(typeof url === 'string', 'the listening line names the url');
  return { child, url, logs };
}

/** Sends the headers and the first half of a /predict body, and gives back how to finish it. */
function halfSentRequest(url: string, body: string) {
  const req = request(`${url}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  const half = Math.floor(body.length / 2);
  req.write(body.slice(0, half));
  const answer = once(req, 'response').then(async (args) => {
    const res = args[0] as IncomingMessage;
    let text = '';
    for await (const chunk of res as AsyncIterable<Buffer>) text += chunk.toString();
    const body = JSON.parse(text) as { probability?: number };
    return { status: res.statusCode, connection: res.headers.connection, body };
  });
  return { finish: () => req.end(body.slice(half)), answer };
}

describe('graceful shutdown', () => {
  let root: string;

  before(async () => {
    root = await tempDir('api-shutdown');
    await trainModel(root, 5);
  });

  test('SIGTERM drains in-flight requests, refuses new connections and exits 0', async () => {
    const { child, url, logs } = await startMain(root);
    const exited = once(child, 'exit');
    const people = applicants(5);
    const inFlight = people.map((p) => halfSentRequest(url, JSON.stringify(p)));
    // The five requests plus the /metrics request that counts them.
    await eventually(
      'the requests are in flight',
      async () => (await metricValue(url, 'loanrisk_http_requests_in_flight')) === people.length + 1,
    );

    child.kill('SIGTERM');
    await eventually('the drain starts', () => logs.some((l) => l.msg === 'draining'));
    await assert.rejects(fetch(`${url}/healthz`), 'a new connection is refused while draining');

    for (const r of inFlight) r.finish();
    const answers = await Promise.all(inFlight.map((r) => r.answer));
    for (const a of answers) {
      assert.equal(a.status, 200);
      const { probability } = a.body;
      assert.ok(probability !== undefined && probability > 0 && probability < 1);
      assert.equal(a.connection, 'close');
    }
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    assert.equal(signal, null);
    assert.equal(code, 0);
    assert.ok(logs.some((l) => l.msg === 'stopped'));
  });
});
