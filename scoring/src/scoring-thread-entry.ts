/**
 * The body of a scoring thread (scoring-thread.ts): opens model-dense.onnx from the bytes it is
 * given and answers each run request with the probabilities, so the run does not block the
 * event loop of the process that asked.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { RunReply, RunRequest, ThreadSetup } from './scoring-thread.js';

const setup = workerData as ThreadSetup;
const port = parentPort;
if (!port) throw new Error('scoring-thread-entry runs only as a worker thread');

const session = await ort.InferenceSession.create(setup.bytes, {
  intraOpNumThreads: setup.intraOpThreads,
  interOpNumThreads: 1,
});

port.on('message', (request: RunRequest) => {
  const feeds = { [setup.input]: new ort.Tensor('float32', request.matrix, [request.rows, request.width]) };
  session.run(feeds, [setup.output]).then(
    (result) => {
      // A copy the size of the answer: the runtime's own output buffer is not ours to transfer.
      const scores = Float32Array.from(result[setup.output].data as Float32Array);
      port.postMessage({ id: request.id, scores } satisfies RunReply, [scores.buffer]);
    },
    (err: unknown) => {
      port.postMessage({ id: request.id, error: (err as Error).message } satisfies RunReply);
    },
  );
});
port.postMessage('ready');
