import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import { createExpressServer } from '../src/express-server.js';

test("Express's re-parenting of requests and responses is a no-op, and its helpers still work", async () => {
  const app = express();
  app.use(express.json());
  app.post('/echo', (req, res) => {
    res.status(201).json({ got: req.body as unknown, type: req.get('content-type'), json: req.is('application/json') });
  });
  const server = createExpressServer(app);
  // Runs before Express: Node must already have built the objects on the app's prototypes.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const same = Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response;
    res.setHeader('x-same-prototypes', String(same));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    for (let i = 0; i < 3; i++) {
      const answer = await fetch(`http://127.0.0.1:${port}/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ n: i }),
      });
      assert.equal(answer.status, 201);
      assert.equal(answer.headers.get('x-same-prototypes'), 'true');
      assert.deepEqual(await answer.json(), { got: { n: i }, type: 'application/json', json: 'application/json' });
    }
  } finally {
    server.close();
  }
});
