/**
 * Typed binding to XGBoost's C API (Debian's libxgboost0) through koffi.
 * Only the calls the trainer uses are declared; every call is checked and raises XGBoostError
 * with XGBGetLastError's text.
 */
import koffi from 'koffi';
import { XGBoostError } from '../errors/xgboost-error.js';

const LIBRARY_NAME = process.env.XGBOOST_LIBRARY ?? 'libxgboost.so.0';

export type Handle = unknown;

function load() {
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load(LIBRARY_NAME);
  } catch (err) {
    throw new XGBoostError(
      'load',
      `cannot load ${LIBRARY_NAME} (${(err as Error).message}); install it with "apt-get install libxgboost0" or set XGBOOST_LIBRARY`,
    );
  }
  const handleOut = koffi.out(koffi.pointer('void *'));
  koffi.alias('bst_ulong', 'uint64_t');
  return {
    lastError: lib.func('const char *XGBGetLastError()'),
    version: lib.func('void XGBoostVersion(_Out_ int *major, _Out_ int *minor, _Out_ int *patch)'),
    dmatrixFromMat: lib.func('XGDMatrixCreateFromMat', 'int', [
      'float *',
      'bst_ulong',
      'bst_ulong',
      'float',
      handleOut,
    ]),
    dmatrixSetFloatInfo: lib.func(
      'int XGDMatrixSetFloatInfo(void *handle, const char *field, const float *array, bst_ulong len)',
    ),
    dmatrixFree: lib.func('int XGDMatrixFree(void *handle)'),
    boosterCreate: lib.func('XGBoosterCreate', 'int', ['void **', 'bst_ulong', handleOut]),
    boosterFree: lib.func('int XGBoosterFree(void *handle)'),
    boosterSetParam: lib.func('int XGBoosterSetParam(void *handle, const char *name, const char *value)'),
    boosterUpdateOneIter: lib.func('int XGBoosterUpdateOneIter(void *handle, int iter, void *dtrain)'),
    boosterEvalOneIter: lib.func(
      'int XGBoosterEvalOneIter(void *handle, int iter, void **dmats, const char **names, bst_ulong len, _Out_ const char **result)',
    ),
    boosterPredictFromDMatrix: lib.func(
      'int XGBoosterPredictFromDMatrix(void *handle, void *dmat, const char *config, _Out_ uint64_t **shape, _Out_ uint64_t *dim, _Out_ float **result)',
    ),
    boosterDumpModelEx: lib.func(
      'int XGBoosterDumpModelEx(void *handle, const char *fmap, int with_stats, const char *format, _Out_ uint64_t *len, _Out_ char ***dump)',
    ),
    boosterSaveModelToBuffer: lib.func(
      'int XGBoosterSaveModelToBuffer(void *handle, const char *config, _Out_ uint64_t *len, _Out_ uint8_t **data)',
    ),
  };
}

export type XGBoostApi = ReturnType<typeof load>;

let api: XGBoostApi | undefined;

/** The loaded library, loaded on first use so that importing the trainer never needs it. */
export function xgb(): XGBoostApi {
  api ??= load();
  return api;
}

/** Throws XGBoostError when a C call returned non-zero. */
export function check(call: string, rc: number): void {
  if (rc !== 0) throw new XGBoostError(call, String(xgb().lastError()));
}

export function xgboostVersion(): string {
  const major = [0];
  const minor = [0];
  const patch = [0];
  xgb().version(major, minor, patch);
  return `${major[0]}.${minor[0]}.${patch[0]}`;
}
