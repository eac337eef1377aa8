// The ceiling for /predict: Express 5 parsing the same JSON body and answering a constant.
import express from 'express';

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
const server = app.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
