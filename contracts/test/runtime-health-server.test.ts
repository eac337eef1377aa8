import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHealthServer, type HealthServer, type Readiness } from '../src/runtime/index.js';

describe('health server', () => {
  let server: HealthServer;
  let readiness: Readiness = { ready: false, reason: 'no model version to serve yet' };
  let scrapes = 0;

  before(async () => {
    server = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      metrics: {
        contentType: 'text/plain; version=0.0.4; charset=utf-8',
        metrics: () => {
          scrapes += 1;
          return Promise.resolve(`scrapes_total ${scrapes}\n`);
        },
      },
      readiness: () => readiness,
    });
  });
  after(async () => {
    await server.close();
  });

  test('/healthz answers while not ready', async () => {
    const res = await fetch(`${server.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  test('/readyz follows the readiness and says why it waits', async () => {
    const waiting = await fetch(`${server.url}/readyz`);
    assert.equal(waiting.status, 503);
    assert.deepEqual(await waiting.json(), { status: 'waiting', reason: 'no model version to serve yet' });
    readiness = { ready: true, details: { modelVersion: 'v1' } };
    const ready = await fetch(`${server.url}/readyz?verbose`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', modelVersion: 'v1' });
  });

  test('/metrics is read from the source at each scrape', async () => {
    const first = await fetch(`${server.url}/metrics`);
    assert.equal(first.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const firstText = await first.text();
    const second = await (await fetch(`${server.url}/metrics`)).text();
    assert.notEqual(firstText, second);
    assert.match(second, /^scrapes_total \d+\n$/);
  });

  test('other paths are 404', async () => {
    const res = await fetch(`${server.url}/nope`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: 'not found' });
  });

  test('a port in use is refused at start', async () => {
    await assert.rejects(
      startHealthServer({
        host: '127.0.0.1',
        port: server.port,
        metrics: { contentType: 'text/plain', metrics: () => Promise.resolve('') },
        readiness: () => readiness,
      }),
      /EADDRINUSE/,
    );
  });
});
