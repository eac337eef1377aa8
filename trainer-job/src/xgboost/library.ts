/**
 * Typed binding to XGBoost's C API (Debian's libxgboost0) through koffi.
 * Only the calls the trainer uses are declared; every call is checked and raises XGBoostError
 * with XGBGetLastError's text.
 */
import koffi from 'koffi';
import { XGBoostError } from '../errors/xgboost-error.js';

const LIBRARY_NAME = process.env.XGBOOST_LIBRARY ?? 'libxgboost.so.0';

/** An XGBoost object (DMatrix or Booster) as koffi hands it back: opaque, only passed back to C. */
declare const handleBrand: unique symbol;
export interface Handle {
  readonly [handleBrand]: true;
}

/** A koffi pointer into XGBoost's memory, read with koffi.decode. */
type Pointer = unknown;
/** 0 on success; anything else means XGBGetLastError has the reason. */
type Status = number;

/** The C calls the trainer uses, typed: koffi's own `func` types every call as `any`. */
export interface XGBoostApi {
  lastError(): string | null;
  version(major: number[], minor: number[], patch: number[]): void;
  dmatrixFromMat(data: Float32Array, rows: number, cols: number, missing: number, out: (Handle | null)[]): Status;
  dmatrixSetFloatInfo(handle: Handle, field: string, values: Float32Array, length: number): Status;
  dmatrixFree(handle: Handle): Status;
  boosterCreate(cache: Handle[], length: number, out: (Handle | null)[]): Status;
  boosterFree(handle: Handle): Status;
  boosterSetParam(handle: Handle, name: string, value: string): Status;
  boosterUpdateOneIter(handle: Handle, iteration: number, train: Handle): Status;
  boosterEvalOneIter(
    handle: Handle,
    iteration: number,
    data: Handle[],
    names: string[],
    length: number,
    result: (string | null)[],
  ): Status;
  boosterPredictFromDMatrix(
    handle: Handle,
    data: Handle,
    config: string,
    shape: Pointer[],
    dim: number[],
    result: Pointer[],
  ): Status;
  boosterDumpModelEx(
    handle: Handle,
    featureMap: string,
    withStats: number,
    format: string,
    length: number[],
    dump: Pointer[],
  ): Status;
  boosterSaveModelToBuffer(handle: Handle, config: string, length: number[], data: Pointer[]): Status;
}

function load(): XGBoostApi {
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

let api: XGBoostApi | undefined;

/** The loaded library, loaded on first use so that importing the trainer never needs it. */
export function xgb(): XGBoostApi {
  api ??= load();
  return api;
}

/** The handle a create call wrote to its out parameter; XGBoostError if it succeeded without one. */
export function created(call: string, handle: Handle | null): Handle {
  if (handle === null) throw new XGBoostError(call, 'returned no handle');
  return handle;
}

/** Throws XGBoostError when a C call returned non-zero. */
export function check(call: string, rc: number): void {
  if (rc !== 0) throw new XGBoostError(call, xgb().lastError() ?? `status ${rc}, no error text`);
}

export function xgboostVersion(): string {
  const major = [0];
  const minor = [0];
  const patch = [0];
  xgb().version(major, minor, patch);
  return `${major[0]}.${minor[0]}.${patch[0]}`;
}
