/**
 * The CRD YAML under manifests/ is generated from the TypeBox schemas of contracts/src/crd/, the source
 * of the TypeScript types too; a test fails when the committed file is stale.
 */
import { loanRiskModelCrd } from '@peerloan/contracts';
import { stringify } from 'yaml';

export const CRD_MANIFEST_PATH = 'manifests/crd/loanriskmodels.yaml';

export function crdYaml(): string {
  const header = '# Generated from contracts/src/crd/ by `npm run generate:crd -w operator`; do not edit by hand.\n';
  return header + stringify(loanRiskModelCrd(), { lineWidth: 0 });
}
