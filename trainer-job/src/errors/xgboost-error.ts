/** A call into libxgboost returned non-zero; the message is XGBoost's own (XGBGetLastError). */
export class XGBoostError extends Error {
  override readonly name = 'XGBoostError';
  constructor(call: string, detail: string) {
    super(`XGBoost ${call} failed: ${detail}`);
  }
}
