/**
 * The CRD YAML under manifests/ is generated from the TypeBox schemas of contracts/src/crd/, the source
 * of the TypeScript types too; a test fails when a committed file is stale.
 */
import { approvalCrd, approvalPolicies, loanRiskModelCrd } from '@peerloan/contracts';
import { stringify } from 'yaml';

export const CRD_MANIFEST_PATH = 'manifests/crd/loanriskmodels.yaml';
export const APPROVAL_CRD_MANIFEST_PATH = 'manifests/crd/loanriskmodelapprovals.yaml';
export const APPROVAL_POLICIES_MANIFEST_PATH = 'manifests/approval/policies.yaml';
/** The same stream in the chart, which templates/approval-policies.yaml includes. */
export const APPROVAL_POLICIES_CHART_PATH = 'charts/loan-risk/files/approval-policies.yaml';

const HEADER = '# Generated from contracts/src/crd/ by `npm run generate:crd -w operator`; do not edit by hand.\n';

export function crdYaml(): string {
  return HEADER + stringify(loanRiskModelCrd(), { lineWidth: 0 });
}

export function approvalCrdYaml(): string {
  return HEADER + stringify(approvalCrd(), { lineWidth: 0 });
}

/** The admission policies, their bindings and the loanrisk-approver ClusterRole, one YAML stream. */
export function approvalPoliciesYaml(): string {
  return (
    HEADER +
    approvalPolicies()
      .map((o) => stringify(o, { lineWidth: 0 }))
      .join('---\n')
  );
}

/** Every generated manifest, by repository path. */
export function generatedManifests(): Record<string, string> {
  return {
    [CRD_MANIFEST_PATH]: crdYaml(),
    [APPROVAL_CRD_MANIFEST_PATH]: approvalCrdYaml(),
    [APPROVAL_POLICIES_MANIFEST_PATH]: approvalPoliciesYaml(),
    [APPROVAL_POLICIES_CHART_PATH]: approvalPoliciesYaml(),
  };
}
