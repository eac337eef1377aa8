/**
 * LoanRiskModelApproval: a reviewer's decision on a candidate waiting in AwaitingApproval, and the
 * admission policies that make its approver the authenticated user (not a typed name) and keep the
 * author of a spec from approving its own candidate. Generated into manifests/ with the CRD.
 *
 * Why admission policies: the API server is the only party that knows who sent a request. A
 * ValidatingAdmissionPolicy cannot write that name into the object, but it can refuse any object
 * whose spec.approver (or, on a LoanRiskModel, the last-changed-by annotation) differs from
 * request.userInfo.username, so the name stored is the authenticated one.
 */
import { Type, type Static } from 'typebox';
import { celRules, DNS_LABEL, oneOf, text, VERSION_PATTERN } from '../schema/fields.js';
import { openApiV3Schema } from '../schema/kubernetes-schema.js';
import {
  APPROVAL_DECISIONS,
  APPROVAL_KIND,
  APPROVAL_PLURAL,
  APPROVAL_SINGULAR,
  APPROVER_CLUSTER_ROLE,
  CRD_API_VERSION,
  CRD_CATEGORIES,
  CRD_GROUP,
  CRD_KIND,
  CRD_PLURAL,
  CRD_VERSION,
  LAST_CHANGED_BY_ANNOTATION,
} from './names.js';

export const ApprovalSpecSchema = Type.Object(
  {
    model: text('Name of the LoanRiskModel in the same namespace.', { pattern: DNS_LABEL, maxLength: 253 }),
    version: text('The candidate version decided on.', { pattern: VERSION_PATTERN, maxLength: 128 }),
    decision: oneOf(
      APPROVAL_DECISIONS,
      'approve: roll it out by spec.rollout.strategy; reject: end it like a failed gate.',
    ),
    approver: text(
      'The user creating this object, exactly as the API server authenticates them (kubectl auth whoami); admission refuses any other name.',
      { minLength: 1, maxLength: 512 },
    ),
    evidence: Type.Optional(text('What the reviewer looked at, in their words.', { maxLength: 4096 })),
  },
  {
    description: 'The decision. Immutable: a different decision is a new object.',
    ...celRules(['self == oldSelf', 'an approval cannot be changed']),
  },
);
export type ApprovalSpec = Static<typeof ApprovalSpecSchema>;

export const ApprovalSchema = Type.Object(
  {
    apiVersion: Type.Optional(text('APIVersion of this object.')),
    kind: Type.Optional(text('Kind of this object.')),
    metadata: Type.Optional(Type.Unsafe<Record<string, unknown>>({ type: 'object' })),
    spec: ApprovalSpecSchema,
  },
  {
    description:
      'A reviewer approves or rejects a LoanRiskModel candidate waiting in AwaitingApproval (spec.rollout.approval required). Created by `npx loanrisk-models approve|reject`; who may create one is RBAC (ClusterRole loanrisk-approver).',
  },
);

export interface LoanRiskModelApproval {
  apiVersion: typeof CRD_API_VERSION;
  kind: typeof APPROVAL_KIND;
  metadata: { name?: string; namespace?: string; creationTimestamp?: string | Date; uid?: string };
  spec: ApprovalSpec;
}

/** One approval per model and version: a second decision on the same candidate is refused (409). */
export function approvalName(model: string, version: string): string {
  return `${model}-${version}`.slice(0, 253);
}

export function approvalCrd(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${APPROVAL_PLURAL}.${CRD_GROUP}` },
    spec: {
      group: CRD_GROUP,
      scope: 'Namespaced',
      names: {
        kind: APPROVAL_KIND,
        listKind: `${APPROVAL_KIND}List`,
        plural: APPROVAL_PLURAL,
        singular: APPROVAL_SINGULAR,
        shortNames: ['lrma'],
        categories: [...CRD_CATEGORIES],
      },
      versions: [
        {
          name: CRD_VERSION,
          served: true,
          storage: true,
          additionalPrinterColumns: [
            { name: 'MODEL', type: 'string', jsonPath: '.spec.model' },
            { name: 'VERSION', type: 'string', jsonPath: '.spec.version' },
            { name: 'DECISION', type: 'string', jsonPath: '.spec.decision' },
            { name: 'APPROVER', type: 'string', jsonPath: '.spec.approver' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: { openAPIV3Schema: openApiV3Schema(ApprovalSchema) },
        },
      ],
    },
  };
}

const ANNOTATION = `'${LAST_CHANGED_BY_ANNOTATION}'`;
const authorOf = (obj: string) =>
  `has(${obj}.metadata.annotations) && ${ANNOTATION} in ${obj}.metadata.annotations ? ${obj}.metadata.annotations[${ANNOTATION}] : ''`;

const policy = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicy',
  metadata: { name },
  spec: { failurePolicy: 'Fail', ...spec },
});
const binding = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicyBinding',
  metadata: { name },
  spec: { policyName: name, validationActions: ['Deny'], ...extra },
});
const rule = (resource: string, operations: string[]) => ({
  resourceRules: [{ apiGroups: [CRD_GROUP], apiVersions: [CRD_VERSION], operations, resources: [resource] }],
});

export const APPROVAL_POLICY_NAMES = {
  approver: 'loanrisk-approval-approver',
  fourEyes: 'loanrisk-approval-four-eyes',
  author: 'loanrisk-model-author',
} as const;

/**
 * The admission policies, their bindings and the approver ClusterRole (Kubernetes 1.30+):
 * - approver: spec.approver of a new approval is the authenticated user;
 * - author: a LoanRiskModel with approval required records in its last-changed-by annotation the
 *   authenticated user of every write that changes its spec (and nobody else changes it);
 * - four eyes: an approval of a model (its params: every LoanRiskModel of the namespace) is refused
 *   when the approver is that model's last spec author, or the author is unknown.
 * The approver check has no params so it holds in a namespace without models too.
 */
export function approvalPolicies(): Record<string, unknown>[] {
  const approver = APPROVAL_POLICY_NAMES.approver;
  const fourEyes = APPROVAL_POLICY_NAMES.fourEyes;
  const author = APPROVAL_POLICY_NAMES.author;
  return [
    policy(approver, {
      matchConstraints: rule(APPROVAL_PLURAL, ['CREATE']),
      validations: [
        {
          expression: 'object.spec.approver == request.userInfo.username',
          messageExpression:
            "'spec.approver must be the user the API server authenticated (' + request.userInfo.username + '), not ' + object.spec.approver",
          reason: 'Forbidden',
        },
      ],
    }),
    binding(approver),
    policy(fourEyes, {
      paramKind: { apiVersion: CRD_API_VERSION, kind: CRD_KIND },
      matchConstraints: rule(APPROVAL_PLURAL, ['CREATE']),
      variables: [{ name: 'author', expression: authorOf('params') }],
      validations: [
        {
          expression:
            'params.metadata.name != object.spec.model || (variables.author != "" && variables.author != request.userInfo.username)',
          messageExpression:
            "variables.author == '' ? 'four eyes: ' + object.spec.model + ' records no author of its spec (" +
            LAST_CHANGED_BY_ANNOTATION +
            "), so nobody can approve it' : 'four eyes: ' + request.userInfo.username + ' last changed the spec of ' + object.spec.model + ' and cannot approve its candidate'",
          reason: 'Forbidden',
        },
      ],
    }),
    binding(fourEyes, { paramRef: { selector: {}, parameterNotFoundAction: 'Allow' } }),
    policy(author, {
      matchConstraints: rule(CRD_PLURAL, ['CREATE', 'UPDATE']),
      matchConditions: [
        {
          name: 'approval-required',
          expression:
            "has(object.spec.rollout) && has(object.spec.rollout.approval) && object.spec.rollout.approval == 'required'",
        },
      ],
      variables: [
        { name: 'author', expression: authorOf('object') },
        { name: 'specChanged', expression: "request.operation == 'CREATE' || object.spec != oldObject.spec" },
      ],
      validations: [
        {
          expression: `variables.specChanged ? variables.author == request.userInfo.username : variables.author == (${authorOf('oldObject')})`,
          messageExpression: `variables.specChanged ? 'spec.rollout.approval is required: set annotation ${LAST_CHANGED_BY_ANNOTATION} to your user name (' + request.userInfo.username + ') when you change the spec' : 'annotation ${LAST_CHANGED_BY_ANNOTATION} changes only with the spec'`,
          reason: 'Forbidden',
        },
      ],
    }),
    binding(author),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: APPROVER_CLUSTER_ROLE },
      rules: [
        { apiGroups: [CRD_GROUP], resources: [APPROVAL_PLURAL], verbs: ['create', 'get', 'list', 'watch'] },
        { apiGroups: [CRD_GROUP], resources: [CRD_PLURAL], verbs: ['get', 'list', 'watch'] },
      ],
    },
  ];
}
