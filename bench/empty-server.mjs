// The ceiling for /predict: Express 5 parsing the same JSON body and answering a constant.
// SERVER_CLASSES=app serves it the way the API is served (api/src/express-server.ts: Node builds
// requests and responses on the app's own prototypes), so the ratio to it is the API's own cost;
// unset, it is Express as it is usually started (http.createServer(app), as app.listen does).
import { createServer } from 'node:http';
import express from 'express';
import { createExpressServer } from '../api/dist/src/express-server.js';

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '1mb' }));
app.get('/ready', (_req, res) => {
  res.json({ ready: true });
});
app.post('/predict', (req, res) => {
  res.json({
    probability: 0.5,
    decision: 'no',
    threshold: 0.5,
    modelVersion: 'empty',
    echo: Object.keys(req.body).length,
  });
});
const server = process.env.SERVER_CLASSES === 'app' ? createExpressServer(app) : createServer(app);
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
