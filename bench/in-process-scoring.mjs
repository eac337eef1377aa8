// onnxruntime-node alone, no HTTP: the dense graph run on one tensor of `batch` records for
// `seconds`, after a short warm-up; the rate the API's `instances` path is compared with.
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { DENSE_INPUT, DENSE_MODEL_FILE, DenseEncoder } from '@peerloan/contracts';

/** Rows per second of model-dense.onnx in `modelDir/version` on `batch`, with `threads` intra-op threads. */
export async function inProcessRowsPerSecond({ modelDir, version, encodedColumns, batch, threads, seconds }) {
  const session = await ort.InferenceSession.create(join(modelDir, version, DENSE_MODEL_FILE), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  const encoder = new DenseEncoder(encodedColumns);
  const feeds = { [DENSE_INPUT]: new ort.Tensor('float32', encoder.encode(batch), [batch.length, encoder.width]) };
  for (let i = 0; i < 50; i++) await session.run(feeds);
  let rows = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    await session.run(feeds);
    rows += batch.length;
  }
  const rate = rows / ((performance.now() - started) / 1000);
  await session.release();
  return rate;
}
