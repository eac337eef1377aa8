/** The model, visible: the live model's inputs, the versions held, a version's card and report, drift. */
import {
  CREDENTIAL_COOKIE_NOTE,
  error,
  json,
  JWKS_UNAVAILABLE,
  operation,
  ref,
  requestIdParameter,
  viewScope,
} from './building-blocks.js';

const TAG = 'Model';
const versionParameter = {
  name: 'version',
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description: 'A version under the models root (GET /versions lists those this server holds).',
};
const unknownVersion = error('No such version with that file in the models root');

export function modelViewPaths(): Record<string, unknown> {
  return {
    '/features': {
      get: operation(
        'features',
        TAG,
        "The live model's inputs (label, range, categories) and its reference applicant: what the web app's form is built from",
        {
          200: { description: 'The inputs', content: json(ref('Features')) },
          503: error('No model loaded yet'),
        },
      ),
    },
    '/versions': {
      get: operation(
        'versions',
        TAG,
        "The versions this server holds with their role (live, candidate with its traffic share, shadow) and headline metrics, the version history with each gate verdict and reviewer's decision, and a candidate awaiting approval",
        {
          200: { description: 'Versions and history', content: json(ref('Versions')) },
          ...viewScope.refusals,
          503: error(`No model loaded yet, or ${JWKS_UNAVAILABLE}`),
        },
        { security: viewScope.security },
      ),
    },
    '/versions/{version}/card': {
      get: operation(
        'versionCard',
        TAG,
        "A version's model card (model-card.json): intended use, metrics with intervals, segments, limitations",
        {
          200: { description: 'The card', content: json(ref('ModelCard')) },
          404: unknownVersion,
          ...viewScope.refusals,
          503: error(JWKS_UNAVAILABLE),
        },
        { security: viewScope.security, parameters: [versionParameter, requestIdParameter] },
      ),
    },
    '/versions/{version}/report': {
      get: operation(
        'versionReport',
        TAG,
        "A version's training report (report.html, self-contained)",
        {
          200: { description: 'The report', content: { 'text/html': { schema: { type: 'string' } } } },
          404: unknownVersion,
          ...viewScope.refusals,
          503: error(JWKS_UNAVAILABLE),
        },
        {
          security: viewScope.security,
          parameters: [versionParameter, requestIdParameter],
          description: CREDENTIAL_COOKIE_NOTE,
        },
      ),
    },
    '/drift': {
      get: operation(
        'drift',
        TAG,
        "The drift monitor's windows: PSI per feature and of the score over time, with the threshold",
        {
          200: { description: 'The windows (none without Redis or before the first)', content: json(ref('Drift')) },
          ...viewScope.refusals,
          503: error(JWKS_UNAVAILABLE),
        },
        { security: viewScope.security },
      ),
    },
  };
}
