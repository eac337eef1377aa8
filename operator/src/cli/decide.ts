/**
 * `loanrisk-models approve|reject`: one LoanRiskModelApproval, created as the user of the current
 * kubeconfig. The approver's name is the API server's answer to "who am I" (a SelfSubjectReview),
 * and admission refuses the object unless it is that user; the CLI never takes a name typed in.
 */
import { AuthenticationV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import {
  APPROVAL_KIND,
  APPROVAL_PLURAL,
  approvalName,
  awaitingApproval,
  CRD_API_VERSION,
  CRD_GROUP,
  CRD_VERSION,
  type ApprovalDecision,
  type LoanRiskModelApproval,
} from '@peerloan/contracts';
import { KubeClient } from '../kube.js';
import { RefusedError } from './refused-error.js';

export interface DecideRequest {
  namespace: string;
  model: string;
  version: string;
  decision: ApprovalDecision;
  evidence?: string;
}

/** The user the API server authenticates this kubeconfig as. */
export async function whoAmI(kc: KubeConfig): Promise<string> {
  const review = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  });
  const name = review.status?.userInfo?.username;
  if (!name) throw new RefusedError('the API server did not say who this kubeconfig authenticates as');
  return name;
}

/** The API server's own words for a refused request (RBAC, an admission policy, a conflict). */
export function apiMessage(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const body = 'body' in err ? err.body : undefined;
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: string } | undefined;
    return `${String(err.code)}: ${parsed?.message ?? String(body)}`;
  } catch {
    return `${String(err.code)}: ${String(body)}`;
  }
}

/** Creates the approval; refused (nothing written) when the candidate is not the one waiting or the API server says no. */
export async function decide(kc: KubeConfig, req: DecideRequest): Promise<string> {
  const user = await whoAmI(kc);
  const model = await new KubeClient(kc).getModel(req.namespace, req.model);
  if (!model) throw new RefusedError(`LoanRiskModel ${req.namespace}/${req.model} not found`);
  const waiting = awaitingApproval(model.status);
  if (waiting?.version !== req.version) {
    throw new RefusedError(
      `${req.model} version ${req.version} is not awaiting approval (phase ${model.status?.phase ?? '(none)'}, candidate awaiting approval: ${waiting?.version ?? '(none)'})`,
    );
  }
  const body: LoanRiskModelApproval = {
    apiVersion: CRD_API_VERSION,
    kind: APPROVAL_KIND,
    metadata: { name: approvalName(req.model, req.version), namespace: req.namespace },
    spec: {
      model: req.model,
      version: req.version,
      decision: req.decision,
      approver: user,
      ...(req.evidence && { evidence: req.evidence }),
    },
  };
  try {
    await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: CRD_GROUP,
      version: CRD_VERSION,
      plural: APPROVAL_PLURAL,
      namespace: req.namespace,
      body,
    });
  } catch (err) {
    const message = apiMessage(err);
    if (message) throw new RefusedError(`the API server refused the ${req.decision} of ${req.version}: ${message}`);
    throw err;
  }
  const verb = req.decision === 'approve' ? 'approved' : 'rejected';
  return `recorded: ${user} ${verb} ${req.namespace}/${req.model} version ${req.version} (${APPROVAL_KIND} ${body.metadata.name})`;
}
