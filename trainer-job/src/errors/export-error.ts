/** The exported ONNX model does not reproduce the trained model; the run must not publish it. */
export class ExportError extends Error {
  override readonly name = 'ExportError';
}
