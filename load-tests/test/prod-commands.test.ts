/**
 * The README's production commands work as written against the prod values, short of a cluster.
 * The blocks marked `<!-- prod-commands -->` run in bash with kubectl, helm, curl, k6 and npm
 * recorded (prod-commands.ts); each `helm upgrade --install` is rendered by `helm template` with
 * the same values files and flags, and the operator's own desiredX functions turn the rendered
 * LoanRiskModel into the Ingress, Service and Deployment it would make. Every other call is
 * checked against those: the keys Secret (name, key, namespace, made before the release, listing
 * the key the calls send), the hosts (the Ingress's, over its TLS) and the port-forward's Service
 * and port, the model's name, the issuer tokens come from, and a credential the API accepts on
 * every call to a protected route, taken from the variables the README names.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { V1Deployment, V1Ingress, V1Secret, V1Service } from '@kubernetes/client-node';
import { parse } from 'yaml';
import {
  API_KEYS_FILE_NAME,
  AUTH_ENV,
  checkFieldValue,
  FEATURES,
  featureRule,
  PHASES,
  type LoanRiskModel,
} from '@peerloan/contracts';
import { hashApiKey, parseApiKeys } from '@peerloan/api/dist/src/auth/api-key-store.js';
import { PROTECTED_ROUTES } from '@peerloan/api/dist/src/auth/authentication.js';
import type { ClientIdentity } from '@peerloan/api/dist/src/auth/client-identity.js';
import { desiredDeployment } from '@peerloan/operator/dist/src/children/deployment.js';
import { desiredIngress } from '@peerloan/operator/dist/src/children/ingress.js';
import { desiredService } from '@peerloan/operator/dist/src/children/service.js';
import { codeBlocks } from './markdown.js';
import { PROD_COMMANDS_MARKER, prodCommandsScript, runRecorded, type RecordedCall } from './prod-commands.js';
import { CHART_DIR, helm, only, parseYamlObjects, REPO_ROOT, type K8sObject } from './repo.js';

/** What the recorded issuer hands out for a client-credentials request. */
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzY29yaW5nLXNlcnZpY2UifQ.recorded';
const run = runRecorded(prodCommandsScript(), TOKEN, { LOANRISK_CLIENT_SECRET: 'the-client-secret' });
const calls = (tool: RecordedCall['tool']) => run.calls.filter((c) => c.tool === tool);

// ---- the releases: helm's calls rendered, and what the operator makes of their model ---------------

interface HelmInstall {
  readonly release: string;
  readonly chart: string;
  readonly namespace: string;
  readonly valuesFiles: readonly string[];
  /** `--set`/`--set-json`/`--set-string` pairs, as given. */
  readonly sets: readonly (readonly [string, string])[];
}

const HELM_SWITCHES = new Set(['--install', '--create-namespace', '--wait', '--atomic']);

function parseHelmInstall(args: readonly string[]): HelmInstall {
  const [verb, ...rest] = args;
  assert.ok(verb === 'upgrade' || verb === 'install', `helm ${args.join(' ')}: an install or upgrade`);
  const positional: string[] = [];
  const valuesFiles: string[] = [];
  const sets: [string, string][] = [];
  let namespace = 'default';
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (HELM_SWITCHES.has(arg)) continue;
    if (!arg.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    assert.ok(i + 1 < rest.length, `helm ${arg} needs a value`);
    const value = rest[++i];
    if (arg === '-n' || arg === '--namespace') namespace = value;
    else if (arg === '-f' || arg === '--values') valuesFiles.push(value);
    else if (['--set', '--set-json', '--set-string'].includes(arg)) sets.push([arg, value]);
    else assert.ok(arg === '--timeout', `helm flag ${arg} is one this test knows (add it here)`);
  }
  assert.equal(positional.length, 2, `helm ${args.join(' ')}: a release and a chart`);
  return { release: positional[0], chart: positional[1], namespace, valuesFiles, sets };
}

interface Release extends HelmInstall {
  readonly seq: number;
  readonly model: LoanRiskModel;
  readonly ingress: V1Ingress | undefined;
  readonly service: V1Service;
  readonly deployment: V1Deployment;
  /** The API container's environment (plain values). */
  readonly apiEnv: ReadonlyMap<string, string | undefined>;
}

function render(call: RecordedCall): Release {
  const install = parseHelmInstall(call.args);
  const res = helm([
    'template',
    install.release,
    install.chart,
    '-n',
    install.namespace,
    ...install.valuesFiles.flatMap((f) => ['-f', f]),
    ...install.sets.flatMap(([flag, value]) => [flag, value]),
  ]);
  assert.equal(res.status, 0, `helm template for the README's helm ${call.args.join(' ')}:\n${res.stderr}`);
  const rendered = only(parseYamlObjects(res.stdout), 'LoanRiskModel');
  // As the API server returns it: with a uid.
  const { name, namespace, labels, annotations } = rendered.metadata;
  const model: LoanRiskModel = { ...rendered, metadata: { name, namespace, labels, annotations, uid: 'uid-1' } };
  const deployment = desiredDeployment(model, { live: 'v1' });
  const env = deployment.spec?.template.spec?.containers[0].env ?? [];
  return {
    ...install,
    seq: call.seq,
    model,
    ingress: desiredIngress(model),
    service: desiredService(model),
    deployment,
    apiEnv: new Map(env.map((e) => [e.name, e.value])),
  };
}

const releases = calls('helm').map(render);

/** The release a call after it addresses: the last one before it (in `namespace`, when given). */
function releaseBefore(call: RecordedCall, namespace?: string): Release | undefined {
  return releases.filter((r) => r.seq < call.seq && (namespace === undefined || r.namespace === namespace)).at(-1);
}

const releaseNamespaces = new Set(releases.map((r) => r.namespace));

// ---- the keys Secret and the credentials the calls carry ------------------------------------------

interface AppliedSecret {
  readonly seq: number;
  readonly secret: V1Secret & K8sObject;
}

const appliedSecrets: AppliedSecret[] = calls('kubectl')
  .filter((c) => c.stdin !== undefined)
  .flatMap((c) =>
    parseYamlObjects(c.stdin ?? '')
      .filter((o) => o.kind === 'Secret')
      .map((o) => ({ seq: c.seq, secret: o })),
  );

/** The keys file a release's API reads, from the Secret the README applied for it. */
function keysOf(release: Release): Map<string, ClientIdentity> {
  const ref = release.model.spec.serving.auth?.apiKeysSecret;
  assert.ok(ref, `${release.namespace}: the model takes API keys`);
  const applied = appliedSecrets.find(
    (s) => s.secret.metadata.name === ref.name && s.secret.metadata.namespace === release.namespace,
  );
  assert.ok(applied, `the README applies the Secret ${ref.name} in ${release.namespace}`);
  const data = applied.secret.data?.[ref.key ?? API_KEYS_FILE_NAME];
  assert.ok(data, `the Secret ${ref.name} has the key ${ref.key ?? API_KEYS_FILE_NAME} the API pods mount`);
  return parseApiKeys(Buffer.from(data, 'base64').toString('utf8'), `Secret ${ref.name}`);
}

/** The scope a path needs (PROTECTED_ROUTES), or undefined for an open route. */
function scopeOf(path: string): string | undefined {
  return PROTECTED_ROUTES.find(({ paths }) =>
    paths.some((p) => {
      const pattern = new RegExp(`^${p.replace(/:\w+/g, '[^/]+')}(?:/.*)?$`);
      return pattern.test(path);
    }),
  )?.scope;
}

type Credential = { kind: 'api-key'; key: string } | { kind: 'token'; token: string };

/** Why `release`'s API would refuse the credential for `scope`, or undefined when it accepts it. */
function refusal(release: Release, credential: Credential | undefined, scope: string): string | undefined {
  if (!credential) return 'no credential';
  if (credential.kind === 'token') {
    if (!release.apiEnv.has(AUTH_ENV.jwksUrl)) return 'a token, and the API takes no tokens';
    return credential.token === TOKEN ? undefined : "a token the issuer's token request did not hand out";
  }
  if (!release.apiEnv.has(AUTH_ENV.apiKeysFile)) return 'an API key, and the API reads no keys file';
  const client = keysOf(release).get(hashApiKey(credential.key));
  if (!client) return 'an API key the keys Secret does not list';
  return client.scopes.includes(scope) ? undefined : `a key of client ${client.id}, without scope ${scope}`;
}

// ---- curl ------------------------------------------------------------------------------------------

interface CurlCall {
  readonly url: URL;
  readonly headers: ReadonlyMap<string, string>;
  readonly data: readonly string[];
}

const CURL_VALUE_FLAGS = new Set(['-H', '--header', '-d', '--data', '--data-binary', '--data-raw', '-X', '-o', '-w']);
const CURL_SWITCHES = new Set(['-s', '--silent', '-S', '-f', '--fail', '-i']);

function parseCurl(args: readonly string[]): CurlCall {
  const headers = new Map<string, string>();
  const data: string[] = [];
  const urls: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (CURL_SWITCHES.has(arg)) continue;
    if (!arg.startsWith('-')) {
      urls.push(arg);
      continue;
    }
    assert.ok(CURL_VALUE_FLAGS.has(arg), `curl flag ${arg} is one this test knows (add it here)`);
    assert.ok(i + 1 < args.length, `curl ${arg} needs a value`);
    const value = args[++i];
    if (arg === '-H' || arg === '--header') {
      const at = value.indexOf(':');
      headers.set(value.slice(0, at).trim().toLowerCase(), value.slice(at + 1).trim());
    } else if (arg.startsWith('-d') || arg.startsWith('--data')) data.push(value);
  }
  assert.equal(urls.length, 1, `curl ${args.join(' ')}: one URL`);
  const [url] = urls;
  return { url: new URL(/^\w+:\/\//.test(url) ? url : `http://${url}`), headers, data };
}

function curlCredential(curl: CurlCall, call: RecordedCall): Credential | undefined {
  const authorization = curl.headers.get('authorization');
  if (authorization !== undefined) {
    assert.equal(authorization, `Bearer ${call.env.LOANRISK_TOKEN}`, 'the token comes from LOANRISK_TOKEN');
    return { kind: 'token', token: call.env.LOANRISK_TOKEN };
  }
  const key = curl.headers.get('x-api-key');
  if (key === undefined) return undefined;
  assert.equal(key, call.env.LOANRISK_API_KEY, 'the key comes from LOANRISK_API_KEY');
  return { kind: 'api-key', key };
}

/** The local ports `kubectl port-forward` opened before a call, with their release and remote port. */
function portForwards(before: RecordedCall): Map<string, Release> {
  const forwards = new Map<string, Release>();
  for (const call of calls('kubectl').filter((c) => c.seq < before.seq && c.args.includes('port-forward'))) {
    const namespace = namespaceOf(call);
    const release = releaseBefore(call, namespace);
    const ports = call.args.find((a) => /^\d+:\d+$/.test(a));
    if (release && ports) forwards.set(ports.split(':')[0], release);
  }
  return forwards;
}

/** Problems with one API call through the Ingress or a port-forward; [] when it would be answered. */
function apiCallProblems(call: RecordedCall, curl: CurlCall, release: Release): string[] {
  const problems: string[] = [];
  const scope = scopeOf(curl.url.pathname);
  const why = scope && refusal(release, curlCredential(curl, call), scope);
  if (why) problems.push(`${curl.url.pathname} needs scope ${scope}: ${why}`);
  if (curl.url.pathname === '/predict') {
    for (const body of curl.data) {
      const applicant = JSON.parse(body) as Record<string, unknown>;
      const names = new Set<string>(FEATURES.map((f) => f.name));
      problems.push(
        ...Object.keys(applicant)
          .filter((k) => !names.has(k))
          .map((k) => `the applicant's ${k} is no feature`),
        ...FEATURES.flatMap((f) => {
          const problem = checkFieldValue(featureRule(f), applicant[f.name]);
          return problem ? [`the applicant's ${f.name}: ${problem}`] : [];
        }),
      );
    }
  }
  return problems;
}

function ingressProblems(url: URL, release: Release): string[] {
  const { ingress } = release;
  if (!ingress) return [`${release.namespace}'s model has no Ingress`];
  const rule = ingress.spec?.rules?.find((r) => r.host === url.hostname);
  if (!rule) return [`${url.hostname} is not the Ingress's host`];
  const problems: string[] = [];
  if (url.protocol === 'https:' && !ingress.spec?.tls?.some((t) => t.hosts?.includes(url.hostname)))
    problems.push(`https://${url.hostname}: the Ingress has no TLS for the host`);
  if (url.protocol !== 'https:') problems.push(`${url.href}: plain HTTP to a production host`);
  const prefix = rule.http?.paths[0].path ?? '/';
  if (!url.pathname.startsWith(prefix)) problems.push(`${url.pathname} is outside the Ingress's path ${prefix}`);
  return problems;
}

/** A token request: to the issuer whose keys the API trusts, for the scope scoring needs. */
function tokenRequestProblems(curl: CurlCall, release: Release): string[] {
  const issuer = release.apiEnv.get(AUTH_ENV.issuer);
  const jwks = release.apiEnv.get(AUTH_ENV.jwksUrl);
  if (!issuer || !jwks) return [`${curl.url.href}: a token, and ${release.namespace}'s API takes none`];
  const problems: string[] = [];
  if (!curl.url.href.startsWith(`${issuer}/`)) problems.push(`${curl.url.href} is not an endpoint of ${issuer}`);
  if (!jwks.startsWith(`${issuer}/`)) problems.push(`the API's JWKS ${jwks} is not ${issuer}'s`);
  if (!curl.data.includes('scope=predict')) problems.push(`${curl.url.href}: no scope=predict asked for`);
  return problems;
}

function curlProblems(call: RecordedCall): string[] {
  const curl = parseCurl(call.args);
  const where = `curl ${curl.url.href}`;
  const local = curl.url.hostname === 'localhost' || curl.url.hostname === '127.0.0.1';
  const release = local ? portForwards(call).get(curl.url.port) : releaseBefore(call);
  if (!release) return [`${where}: ${local ? 'no port-forward opened that port' : 'called before any release'}`];
  if (curl.url.pathname.endsWith('/token')) return tokenRequestProblems(curl, release).map((p) => `${where}: ${p}`);
  return [...(local ? [] : ingressProblems(curl.url, release)), ...apiCallProblems(call, curl, release)].map(
    (p) => `${where}: ${p}`,
  );
}

// ---- k6 and npm run load ---------------------------------------------------------------------------

/** The script a load-test call runs (relative to the repository), or a problem. */
function loadScript(call: RecordedCall): string {
  if (call.tool === 'k6') {
    assert.equal(call.args[0], 'run', `k6 ${call.args.join(' ')}`);
    return call.args.at(-1) ?? '';
  }
  const dash = call.args.indexOf('--');
  assert.deepEqual(call.args.slice(0, dash), ['run', 'load', '-w', 'load-tests'], `npm ${call.args.join(' ')}`);
  return join('load-tests', call.args[dash + 1]);
}

function loadTestProblems(call: RecordedCall): string[] {
  const script = loadScript(call);
  const where = `${call.tool} ${script}`;
  const problems = existsSync(join(REPO_ROOT, script)) ? [] : [`${where}: no such script`];
  if (!call.env.BASE_URL) return call.tool === 'npm' ? problems : [...problems, `${where}: k6 needs BASE_URL`];
  const url = new URL(call.env.BASE_URL);
  const release = releaseBefore(call);
  if (!release) return [...problems, `${where}: run before any release`];
  // What lib/requests.js sends: the token when set, else the key.
  const credential: Credential | undefined = call.env.LOANRISK_TOKEN
    ? { kind: 'token', token: call.env.LOANRISK_TOKEN }
    : call.env.LOANRISK_API_KEY
      ? { kind: 'api-key', key: call.env.LOANRISK_API_KEY }
      : undefined;
  const why = refusal(release, credential, 'predict');
  return [
    ...problems,
    ...ingressProblems(url, release).map((p) => `${where}: ${p}`),
    ...(why ? [`${where}: /predict needs scope predict: ${why} in LOANRISK_TOKEN or LOANRISK_API_KEY`] : []),
  ];
}

// ---- kubectl -----------------------------------------------------------------------------------------

function namespaceOf(call: RecordedCall): string | undefined {
  const at = call.args.findIndex((a) => a === '-n' || a === '--namespace');
  return at >= 0 ? call.args[at + 1] : undefined;
}

/** Whether the README uploaded the model's training data before `call`. */
function uploadedBefore(call: RecordedCall, release: Release): boolean {
  return calls('scripts/upload-data.sh').some(
    (c) => c.seq < call.seq && namespaceOf(c) === release.namespace && c.args.includes(release.model.spec.dataset.path),
  );
}

function kubectlProblems(call: RecordedCall): string[] {
  const where = `kubectl ${call.args.join(' ')}`;
  const namespace = namespaceOf(call);
  const created = call.args[0] === 'create' && call.args[1] === 'namespace' ? call.args[2] : undefined;
  const named = namespace ?? created;
  if (named !== undefined && !releaseNamespaces.has(named)) return [`${where}: ${named} is no release's namespace`];
  const release = namespace === undefined ? undefined : releaseBefore(call, namespace);
  const problems: string[] = [];
  const model = call.args.map((a, i) => (a === 'lrm' ? call.args[i + 1] : /^lrm\/(.+)$/.exec(a)?.[1])).find(Boolean);
  if (model !== undefined && model !== release?.model.metadata.name)
    problems.push(`${where}: ${model} is not the release's model (${release?.model.metadata.name ?? 'none yet'})`);
  const phase = call.args.map((a) => /^--for=jsonpath=\{\.status\.phase\}=(\w+)$/.exec(a)?.[1]).find(Boolean);
  if (phase !== undefined && !(PHASES as readonly string[]).includes(phase))
    problems.push(`${where}: ${phase} is not a phase`);
  if (phase === 'Ready' && release && !uploadedBefore(call, release))
    problems.push(`${where}: waits for a model whose data (${release.model.spec.dataset.path}) was never uploaded`);
  if (call.args.includes('port-forward')) {
    const service = call.args.find((a) => a.startsWith('svc/'))?.slice('svc/'.length);
    const remote = Number(call.args.find((a) => /^\d+:\d+$/.test(a))?.split(':')[1]);
    if (service !== release?.service.metadata?.name)
      problems.push(`${where}: the model's Service is ${release?.service.metadata?.name ?? 'not there yet'}`);
    else if (!release?.service.spec?.ports?.some((p) => p.port === remote))
      problems.push(`${where}: the Service has no port ${remote}`);
  }
  return problems;
}

// ---- the training data -----------------------------------------------------------------------------

function uploadProblems(call: RecordedCall): string[] {
  const where = `scripts/upload-data.sh ${call.args.join(' ')}`;
  const namespace = namespaceOf(call) ?? 'default';
  const claimAt = call.args.indexOf('--claim');
  const claim = claimAt >= 0 ? call.args[claimAt + 1] : 'loan-data';
  const [source, path] = call.args.filter(
    (a, i) => !a.startsWith('-') && !/^(-n|--namespace|--claim|--image|--pull-secret)$/.test(call.args[i - 1] ?? ''),
  );
  const release = releaseBefore(call, namespace);
  if (!release) return [`${where}: before any release in ${namespace} (whose chart makes the claim)`];
  const { dataset } = release.model.spec;
  return [
    ...(existsSync(join(REPO_ROOT, source)) ? [] : [`${where}: no file ${source} in the repository`]),
    ...(claim === dataset.claimName ? [] : [`${where}: the model reads the claim ${dataset.claimName}`]),
    ...(path === dataset.path ? [] : [`${where}: the model reads ${dataset.path}`]),
  ];
}

// ---- the tests -----------------------------------------------------------------------------------

test('the README marks its production commands, and they run to the end in bash (set -euo pipefail)', () => {
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  for (const tool of ['kubectl', 'helm', 'curl', 'k6'] as const)
    assert.ok(calls(tool).length > 0, `the marked blocks call ${tool}`);
});

test("every helm command installs prod's values, and helm template renders them with its flags (the schema refuses unknown --set keys)", () => {
  assert.ok(releases.length > 0);
  for (const release of releases) {
    assert.equal(release.chart, 'charts/loan-risk');
    assert.deepEqual(release.valuesFiles, ['charts/loan-risk/values-prod.yaml'], `${release.namespace}'s values`);
  }
});

test("the keys Secret: applied before the release, in its namespace, under the name and key the API pods mount, listing the README's key", () => {
  for (const release of releases) {
    const ref = release.model.spec.serving.auth?.apiKeysSecret;
    assert.ok(ref, `${release.namespace}: prod's model takes API keys`);
    const volume = release.deployment.spec?.template.spec?.volumes?.find((v) => v.secret?.secretName === ref.name);
    assert.ok(volume, `the API pods mount the Secret ${ref.name}`);
    const applied = appliedSecrets.filter(
      (s) => s.secret.metadata.name === ref.name && s.secret.metadata.namespace === release.namespace,
    );
    assert.ok(
      applied.some((s) => s.seq < release.seq),
      `the Secret ${ref.name} is applied in ${release.namespace} before the release, whose pods mount it`,
    );
    const keys = keysOf(release);
    const readmeKeys = new Set(run.calls.map((c) => c.env.LOANRISK_API_KEY).filter(Boolean));
    assert.equal(readmeKeys.size, 1, 'one LOANRISK_API_KEY throughout');
    const [key] = readmeKeys;
    assert.ok(keys.get(hashApiKey(key))?.scopes.includes('predict'), 'the file lists the key, with scope predict');
  }
});

test('every curl reaches the Ingress host over its TLS, the port-forward or the issuer, with a credential the API takes', () => {
  const curls = calls('curl');
  assert.ok(
    curls.some((c) => parseCurl(c.args).url.protocol === 'https:'),
    'a call through the Ingress',
  );
  assert.ok(
    curls.some((c) => parseCurl(c.args).url.hostname === 'localhost'),
    'a call through the port-forward',
  );
  assert.ok(
    curls.some((c) => parseCurl(c.args).headers.get('authorization')?.startsWith('Bearer ')),
    'a call with a token',
  );
  assert.deepEqual(curls.flatMap(curlProblems), []);
});

test('k6 and npm run load target the Ingress over its TLS with a credential from the environment', () => {
  const runs = [...calls('k6'), ...calls('npm')];
  assert.ok(
    runs.some((c) => c.env.BASE_URL.startsWith('https://')),
    'a load test against production',
  );
  assert.deepEqual(runs.flatMap(loadTestProblems), []);
});

test("kubectl names the release's namespace, its model and the Service and port of the model's API", () => {
  assert.deepEqual(calls('kubectl').flatMap(kubectlProblems), []);
});

test("the training data goes onto the claim and path prod's model reads, from a file the repository holds", () => {
  assert.ok(calls('scripts/upload-data.sh').length > 0, 'the walkthrough uploads the data to train on');
  assert.deepEqual(calls('scripts/upload-data.sh').flatMap(uploadProblems), []);
});

test('every README code block naming a staging or production host is marked prod-commands', () => {
  const hosts = ['staging', 'prod'].map((env) => {
    const values = parse(readFileSync(join(CHART_DIR, `values-${env}.yaml`), 'utf8')) as {
      loanRiskModel: { ingress: { host: string } };
    };
    return values.loanRiskModel.ingress.host;
  });
  const unmarked = codeBlocks(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'))
    .filter((b) => hosts.some((h) => b.code.includes(h)) && b.marker !== PROD_COMMANDS_MARKER)
    .map((b) => `README.md:${b.line}`);
  assert.deepEqual(unmarked, [], `put <!-- ${PROD_COMMANDS_MARKER} --> on the line before each`);
});
