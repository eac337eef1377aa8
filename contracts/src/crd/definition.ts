/**
 * The LoanRiskModel CustomResourceDefinition: names, printer columns and the openAPIV3Schema emitted
 * from the TypeBox schemas of this folder. manifests/crd/loanriskmodels.yaml is generated from
 * `loanRiskModelCrd()` (npm run generate:crd -w operator); a test keeps the two identical.
 */
import { Type, type Static } from 'typebox';
import { openApiV3Schema } from '../schema/kubernetes-schema.js';
import { text } from '../schema/fields.js';
import {
  CRD_API_VERSION,
  CRD_CATEGORIES,
  CRD_GROUP,
  CRD_KIND,
  CRD_PLURAL,
  CRD_SHORT_NAMES,
  CRD_SINGULAR,
  CRD_VERSION,
} from './names.js';
import { LoanRiskModelSpecSchema } from './spec.js';
import { LoanRiskModelStatusSchema } from './status.js';

/** The object's metadata as the code reads it; the API server owns its schema. */
interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string | Date;
}

export const LoanRiskModelSchema = Type.Object(
  {
    apiVersion: Type.Optional(text('APIVersion of this object.')),
    kind: Type.Optional(text('Kind of this object.')),
    metadata: Type.Optional(Type.Unsafe<ObjectMeta>({ type: 'object' })),
    spec: LoanRiskModelSpecSchema,
    status: Type.Optional(LoanRiskModelStatusSchema),
  },
  {
    description:
      'LoanRiskModel trains the PeerLoan late-payment model from a CSV on a volume, gates it on quality and serves it with the prediction API.',
  },
);

export interface LoanRiskModel extends Omit<Static<typeof LoanRiskModelSchema>, 'apiVersion' | 'kind' | 'metadata'> {
  apiVersion: typeof CRD_API_VERSION;
  kind: typeof CRD_KIND;
  metadata: ObjectMeta;
}

const column = (name: string, type: string, jsonPath: string, description: string) => ({
  name,
  type,
  jsonPath,
  description,
});

/** The CustomResourceDefinition object, as written to manifests/crd/loanriskmodels.yaml. */
export function loanRiskModelCrd(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${CRD_PLURAL}.${CRD_GROUP}` },
    spec: {
      group: CRD_GROUP,
      scope: 'Namespaced',
      names: {
        kind: CRD_KIND,
        listKind: `${CRD_KIND}List`,
        plural: CRD_PLURAL,
        singular: CRD_SINGULAR,
        shortNames: [...CRD_SHORT_NAMES],
        categories: [...CRD_CATEGORIES],
      },
      versions: [
        {
          name: CRD_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            column('LIVE', 'string', '.status.liveVersion', 'Live model version.'),
            column('CANDIDATE', 'string', '.status.candidateVersion', 'Version being tried (shadow or canary).'),
            column(
              'TRAFFIC',
              'integer',
              '.status.candidateTrafficPercent',
              "The candidate's share of live answers, percent.",
            ),
            column('PHASE', 'string', '.status.phase', 'Where the model is in its lifecycle.'),
            column('AUC', 'number', '.status.live.metrics.rocAuc', 'ROC AUC of the live model.'),
            column(
              'DRIFTED',
              'string',
              '.status.conditions[?(@.type=="Drifted")].status',
              'Drifted condition: True when the drift monitor saw the inputs move.',
            ),
            column('READY', 'integer', '.status.readyReplicas', 'Available API replicas.'),
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: { openAPIV3Schema: openApiV3Schema(LoanRiskModelSchema) },
        },
      ],
    },
  };
}
