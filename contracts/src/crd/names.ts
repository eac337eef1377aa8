/** The LoanRiskModel custom resource's names, and the lists its schema and the code both read. */
import { AUTH_ENV, RATE_LIMIT_ENV } from '../api-security.js';
import { ROLLOUT_ENV } from '../rollout.js';

export const CRD_GROUP = 'risk.peerloan.io';
export const CRD_VERSION = 'v1alpha1';
export const CRD_KIND = 'LoanRiskModel';
export const CRD_PLURAL = 'loanriskmodels';
export const CRD_SINGULAR = 'loanriskmodel';
export const CRD_SHORT_NAMES = ['lrm'] as const;
export const CRD_CATEGORIES = ['peerloan', 'ml'] as const;
export const CRD_API_VERSION = `${CRD_GROUP}/${CRD_VERSION}`;
/** Pod-template annotation on the served Deployment naming the live model version. */
export const MODEL_VERSION_ANNOTATION = `${CRD_GROUP}/model-version`;

export const PHASES = [
  'Pending',
  'Training',
  'Gating',
  'AwaitingApproval',
  'Shadow',
  'Canary',
  'RollingOut',
  'Ready',
  'Failed',
  'Paused',
] as const;
export type Phase = (typeof PHASES)[number];
/**
 * AwaitingApproval: a gated candidate waits for a reviewer and serves nobody; Shadow and Canary: it
 * is being tried; Promoted, RolledBack, Withdrawn and Rejected (by a reviewer): how the last try ended.
 */
export const ROLLOUT_PHASES = [
  'AwaitingApproval',
  'Shadow',
  'Canary',
  'Promoted',
  'RolledBack',
  'Withdrawn',
  'Rejected',
] as const;
export type RolloutPhase = (typeof ROLLOUT_PHASES)[number];
/** Environment names of the API container that only the operator sets. */
export const OPERATOR_ENV_NAMES = [
  'MODEL_DIR',
  'PORT',
  ...Object.values(ROLLOUT_ENV),
  ...Object.values(AUTH_ENV),
  ...Object.values(RATE_LIMIT_ENV),
] as const;

export const HISTORY_LIMIT = 10;

/** A reviewer's decision on a candidate waiting in AwaitingApproval. */
export const APPROVAL_KIND = 'LoanRiskModelApproval';
export const APPROVAL_PLURAL = 'loanriskmodelapprovals';
export const APPROVAL_SINGULAR = 'loanriskmodelapproval';
export const APPROVAL_DECISIONS = ['approve', 'reject'] as const;
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];
/**
 * Who last changed a LoanRiskModel's spec (with spec.rollout.approval required): admission makes it
 * equal the authenticated user of the write, so four eyes can compare it with the approver.
 */
export const LAST_CHANGED_BY_ANNOTATION = `${CRD_GROUP}/last-changed-by`;
/** The ClusterRole whose create on loanriskmodelapprovals lets a user approve or reject. */
export const APPROVER_CLUSTER_ROLE = 'loanrisk-approver';
