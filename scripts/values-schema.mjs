#!/usr/bin/env node
// Writes the `loanRiskModel` part of charts/loan-risk/values.schema.json, the placement values
// of the chart's own pods (operator, worker, redis) and `networkPolicy.extraIngressFrom` from the
// LoanRiskModel's own schemas (contracts/src/chart-values.ts), so the chart and the CRD state each
// bound and default once. Needs the build (`npm run build`).
//   node scripts/values-schema.mjs          rewrite the file
//   node scripts/values-schema.mjs --check  exit 1 when the committed file is stale
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  loanRiskModelValuesSchema,
  networkPolicyPeersValuesSchema,
  podPlacementValuesSchema,
} from '@peerloan/contracts';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'charts', 'loan-risk', 'values.schema.json');
const committed = readFileSync(file, 'utf8');
const schema = JSON.parse(committed);
schema.properties.loanRiskModel = loanRiskModelValuesSchema();
const placed = { operator: 'the operator pods', worker: 'the worker pods', redis: 'the Redis pod' };
for (const [component, what] of Object.entries(placed))
  Object.assign(schema.properties[component].properties, podPlacementValuesSchema(what));
schema.properties.networkPolicy.properties.extraIngressFrom = networkPolicyPeersValuesSchema(
  "More peers allowed to the API pods' ports (NetworkPolicyPeer), e.g. a cloud load balancer's address range.",
);
const wanted = `${JSON.stringify(schema, null, 2)}\n`;

if (process.argv.includes('--check')) {
  if (wanted !== committed) {
    process.stderr.write(
      'charts/loan-risk/values.schema.json: stale; run `npm run build && node scripts/values-schema.mjs`\n',
    );
    process.exit(1);
  }
} else {
  if (wanted !== committed) writeFileSync(file, wanted);
  process.stdout.write(`charts/loan-risk/values.schema.json: ${wanted === committed ? 'up to date' : 'written'}\n`);
}
