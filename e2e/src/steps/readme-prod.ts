/**
 * The README's production commands run for real against the prod values on this cluster: the
 * same script load-tests/test/prod-commands.test.ts runs against recorded tools (the blocks marked
 * `<!-- prod-commands -->`, in order), here with the real kubectl, helm, curl, k6 and npm behind
 * shims that map what only prod has to what this cluster has, and nothing else:
 * - namespace `peerloan` -> the journey's namespace (which exists: `create namespace` is a no-op);
 * - `https://risk.peerloan.io` -> Traefik on 127.0.0.1:18080 with that Host header (curl, and
 *   BASE_URL/HOST_HEADER for k6 and `npm run load`); no TLS on this cluster;
 * - `https://login.peerloan.io` -> a stand-in issuer on this machine (token-issuer.ts), whose key
 *   set the release's API pods fetch;
 * - `helm upgrade --install ... -f values-prod.yaml` gets readmeReleaseValues() added after its
 *   own flags (local images, Traefik, requests that fit);
 * - `kubectl wait --timeout=2h` waits 15 minutes; k6 RATE above 10 is sent at 10 and DURATION
 *   in minutes or hours lasts 20 s (prod's load figures are for prod's nodes, and the per-client budget
 *   of the prod values, 1,200 requests a minute, is shared by every run of the script);
 * - `npm run load` without BASE_URL starts a local stack, not the cluster: skipped, and said so.
 * A request the API refuses fails the run (curl --fail-with-body).
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { prodCommandBlocks, prodCommandsScript } from '@peerloan/load-tests/dist/test/prod-commands.js';
import { kubectl, run } from '../commands.js';
import { INGRESS_URL } from '../ingress.js';
import type { Journey } from '../journey-state.js';
import { TokenIssuer } from '../token-issuer.js';
import { readmeReleaseValues } from './install.js';

const PROD_NAMESPACE = 'peerloan';
const PROD_HOST = 'risk.peerloan.io';
const PROD_LOGIN = 'https://login.peerloan.io';
const RATE_CAP = 10;
const DURATION_CAP = '20s';
const WAIT_TIMEOUT = '900s';

const TOOLS_BIN = join(process.env.PEERLOAN_TOOLS_CACHE ?? join(homedir(), '.cache/peerloan-tools'), 'bin');

/** A word for bash, single-quoted. */
function quoted(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Maps the namespace after -n/--namespace and in `create namespace`; caps `--timeout=2h`. */
function kubectlShim(journey: Journey, real: string): string {
  return `#!/usr/bin/env bash
set -euo pipefail
args=() prev=''
for a in "$@"; do
  if [[ $a == ${PROD_NAMESPACE} && ( $prev == -n || $prev == --namespace || $prev == namespace ) ]]; then a=${quoted(journey.namespace)}
  elif [[ $a == --namespace=${PROD_NAMESPACE} ]]; then a=--namespace=${quoted(journey.namespace)}
  elif [[ $a == --timeout=2h ]]; then a=--timeout=${WAIT_TIMEOUT}
  fi
  args+=("$a") prev=$a
done
if [[ "\${args[0]:-} \${args[1]:-}" == 'create namespace' ]] && ${quoted(real)} get namespace "\${args[2]}" >/dev/null 2>&1; then
  echo "namespace/\${args[2]} exists: the journey's namespace stands in for ${PROD_NAMESPACE}"
  exit 0
fi
exec ${quoted(real)} "\${args[@]}"
`;
}

function helmShim(journey: Journey, real: string, extra: readonly string[]): string {
  return `#!/usr/bin/env bash
set -euo pipefail
args=() prev=''
for a in "$@"; do
  if [[ $a == ${PROD_NAMESPACE} && ( $prev == -n || $prev == --namespace ) ]]; then a=${quoted(journey.namespace)}; fi
  args+=("$a") prev=$a
done
case \${args[0]:-} in
  upgrade|install) args+=(${extra.map(quoted).join(' ')}) ;;
esac
exec ${quoted(real)} "\${args[@]}"
`;
}

function curlShim(real: string, issuer: TokenIssuer): string {
  return `#!/usr/bin/env bash
set -euo pipefail
args=(--fail-with-body --retry 5 --retry-all-errors --retry-delay 1)
for a in "$@"; do
  case $a in
    https://${PROD_HOST}*) args+=("${INGRESS_URL}\${a#https://${PROD_HOST}}" -H 'Host: ${PROD_HOST}') ;;
    ${PROD_LOGIN}*) args+=("http://127.0.0.1:${issuer.port}\${a#${PROD_LOGIN}}") ;;
    *) args+=("$a") ;;
  esac
done
# Each answer also goes to $ANSWERS, one a line, for the step to check (the README's own output
# interleaves with k6's and the port-forward's).
if out=$(${quoted(real)} "\${args[@]}"); then
  printf '%s\n' "$out" | tee -a "$ANSWERS"
else
  code=$?
  printf 'curl %s: exit %s: %s\n' "$*" "$code" "$out" >&2
  exit "$code"
fi
`;
}

/** Shared by the k6 and npm shims: BASE_URL mapped, RATE and DURATION capped. */
const LOAD_MAPPING = `
if [[ \${BASE_URL:-} == https://${PROD_HOST}* ]]; then
  export BASE_URL=${INGRESS_URL} HOST_HEADER=${PROD_HOST}
fi
args=()
for a in "$@"; do
  if [[ $a =~ ^RATE=([0-9]+)$ ]] && (( BASH_REMATCH[1] > ${RATE_CAP} )); then a=RATE=${RATE_CAP}
  elif [[ $a =~ ^DURATION=[0-9]+[mh]$ ]]; then a=DURATION=${DURATION_CAP}
  fi
  args+=("$a")
done
`;

function k6Shim(real: string): string {
  return `#!/usr/bin/env bash
set -euo pipefail
export K6_NO_USAGE_REPORT=true
${LOAD_MAPPING}
exec ${quoted(real)} "\${args[@]}"
`;
}

function npmShim(real: string): string {
  return `#!/usr/bin/env bash
set -euo pipefail
if [[ "$*" == 'run load '* && -z \${BASE_URL:-} ]]; then
  echo "prod-commands: skipped 'npm $*': without BASE_URL it starts a local stack, not the cluster" >&2
  exit 0
fi
export K6_NO_USAGE_REPORT=true
${LOAD_MAPPING}
exec ${quoted(real)} "\${args[@]}"
`;
}

async function which(tool: string): Promise<string> {
  return (await run('bash', ['-c', `command -v ${tool}`])).stdout.trim();
}

async function nodeAddress(): Promise<string> {
  const address = await kubectl([
    'get',
    'node',
    'peerloan-node',
    '-o',
    'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}',
  ]);
  assert.ok(address.trim(), 'the node has an InternalIP');
  return address.trim();
}

async function hasCrd(name: string): Promise<boolean> {
  return (await kubectl(['get', 'crd', name, '--ignore-not-found', '-o', 'name'])).trim() !== '';
}

export interface ProdCommandsRun {
  readonly blocks: readonly number[];
  readonly skipped: readonly string[];
  readonly seconds: number;
  readonly predictions: number;
  readonly tokens: number;
}

/** Runs the README's production commands with the shims; the answers it printed are checked. */
export async function readmeProdCommands(journey: Journey): Promise<ProdCommandsRun> {
  const skipped: string[] = [];
  // The dashboards block needs the Prometheus Operator's CRDs, as the README says; this cluster has none unless someone added them.
  const monitoring = await hasCrd('podmonitors.monitoring.coreos.com');
  const blocks = prodCommandBlocks().filter((b) => {
    if (!b.code.includes('monitoring.podMonitor.enabled=true') || monitoring) return true;
    skipped.push(`README.md:${b.line} (the Prometheus Operator's CRDs are not installed)`);
    return false;
  });
  const issuer = await TokenIssuer.start('the-client-secret');
  const shims = mkdtempSync(join(tmpdir(), 'prod-commands-'));
  const tools: Record<string, string> = {
    kubectl: kubectlShim(journey, join(TOOLS_BIN, 'kubectl')),
    helm: helmShim(journey, join(TOOLS_BIN, 'helm'), readmeReleaseValues(journey, issuer.jwksUrl(await nodeAddress()))),
    curl: curlShim(await which('curl'), issuer),
    k6: k6Shim(join(TOOLS_BIN, 'k6')),
    npm: npmShim(await which('npm')),
  };
  for (const [name, text] of Object.entries(tools)) {
    writeFileSync(join(shims, name), text);
    chmodSync(join(shims, name), 0o755);
  }
  const answersFile = join(shims, 'answers.jsonl');
  writeFileSync(answersFile, '');
  const began = Date.now();
  try {
    // The README's port-forward runs in the background: it is stopped when the script ends, however it ends.
    const script = `set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n${prodCommandsScript(blocks)}`;
    const result = await run('bash', ['--norc', '--noprofile', '-c', script], {
      env: {
        PATH: `${shims}:${TOOLS_BIN}:${process.env.PATH ?? ''}`,
        LOANRISK_CLIENT_SECRET: 'the-client-secret',
        ANSWERS: answersFile,
      },
      timeoutMs: 30 * 60_000,
      allowFailure: true,
    });
    const output = `${result.stdout}\n${result.stderr}`;
    assert.equal(
      result.code,
      0,
      `the README's production commands failed (exit ${result.code}):\n${output.slice(-6000)}`,
    );
    const answers = readFileSync(answersFile, 'utf8');
    const predictions = answers.split('\n').filter((l) => /^\{.*"probability"/.test(l)).length;
    console.log(`# README production commands: ${predictions} predictions printed, ${issuer.issued} token(s) issued`);
    assert.equal(
      predictions,
      3,
      `three answers to the README's curl calls (Ingress with the key, Service, Ingress with the token):\n${answers.slice(-3000)}`,
    );
    assert.ok(issuer.issued >= 1, 'the token came from the issuer');
    return {
      blocks: blocks.map((b) => b.line),
      skipped,
      seconds: (Date.now() - began) / 1000,
      predictions,
      tokens: issuer.issued,
    };
  } finally {
    await issuer.close();
  }
}
