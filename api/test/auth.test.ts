/**
 * Authentication against a real issuer (jose key pairs, a JWKS served on 127.0.0.1) and a real
 * API keys file laid out like a Secret volume: who gets in, who gets 401 or 403 (with a JSON
 * error and WWW-Authenticate), that a refused request is never scored, key rotation by kid,
 * API-key rotation without a restart, and that health, readiness and metrics stay open.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FEATURES } from '@peerloan/contracts';
import { UnsecuredJWT } from 'jose';
import { readConfig } from '../src/config.js';
import { ConfigError } from '@peerloan/contracts/runtime';
import type { RunningServer } from '../src/server.js';
import { keysFileText, newKey, SecretVolume } from './helpers/api-keys.js';
import {
  call,
  errorOf,
  eventually,
  metricValue,
  postJson,
  type JsonResponse,
} from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { startApi } from './helpers/api-server.js';
import { JwksServer, jwtEnv, signingKey, token, type SigningKey } from './helpers/jwks-server.js';
import { applicants, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';

const applicant = applicants(1)[0];

/** Rows scored so far, from /metrics (which itself needs no credential). */
async function rowsScored(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('loanrisk_predictions_total{'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

function oipBody() {
  return {
    inputs: FEATURES.map((f) => ({
      name: f.name,
      shape: [1, 1],
      datatype: f.kind === 'numeric' ? 'FP32' : 'BYTES',
      data: [applicant[f.name] ?? (f.kind === 'numeric' ? null : '')],
    })),
  };
}

function bearer(jwt: string): Record<string, string> {
  return { authorization: `Bearer ${jwt}` };
}

function assertRefused(res: JsonResponse, status: 401 | 403, message: RegExp): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(errorOf(res), message);
  assert.ok(
    res.headers.get('www-authenticate')?.includes('realm="loanrisk-api"'),
    `WWW-Authenticate: ${res.headers.get('www-authenticate')}`,
  );
}

describe('authentication', () => {
  let root: string;
  let api: RunningServer;
  let jwks: JwksServer;
  let rsa: SigningKey;
  let ec: SigningKey;
  let volume: SecretVolume;
  const scorer = newKey('risk-team', ['predict']);
  const batcher = newKey('portfolio-job', ['batch']);

  before(async () => {
    root = await tempDir('api-auth');
    await trainModel(root, 21);
    [rsa, ec] = await Promise.all([signingKey('rsa-1', 'RS256'), signingKey('ec-1', 'ES256')]);
    jwks = await JwksServer.start([rsa, ec]);
    volume = new SecretVolume(await tempDir('api-keys'));
    await volume.create(keysFileText([scorer, batcher]));
    api = await startApi({
      MODEL_DIR: root,
      ...jwtEnv(jwks),
      AUTH_API_KEYS_FILE: volume.file,
      AUTH_API_KEYS_POLL_MS: '20',
    });
  });
  after(async () => {
    await api.shutdown();
    await jwks.close();
  });

  test('health, readiness, metrics, OIP health and metadata and the web page need no credential', async () => {
    for (const path of [
      '/healthz',
      '/readyz',
      '/metrics',
      '/v2/health/live',
      '/v2/health/ready',
      '/v2',
      '/v2/models/loan-risk',
      '/',
    ]) {
      const res = await fetch(`${api.url}${path}`);
      assert.equal(res.status, 200, path);
    }
  });

  test('no credential: 401 with a JSON error naming both ways in, and nothing is scored', async () => {
    const before = await rowsScored(api.url);
    assertRefused(await postJson(`${api.url}/predict`, applicant), 401, /credential is required.*Bearer.*X-API-Key/);
    assertRefused(
      await postJson(`${api.url}/predict`, { instances: [applicant, applicant] }),
      401,
      /credential is required/,
    );
    const oip = await postJson(`${api.url}/v2/models/loan-risk/infer`, oipBody());
    assertRefused(oip, 401, /credential is required/);
    assert.deepEqual(Object.keys(oip.body as object), ['error'], 'the OIP error shape under /v2');
    assertRefused(await call(`${api.url}/batches/123`), 401, /credential is required/);
    assert.equal(await rowsScored(api.url), before);
  });

  test('a valid RS256 or ES256 token with the predict scope scores, on /predict and OIP infer', async () => {
    for (const key of [rsa, ec]) {
      const jwt = await token(key, { scope: 'predict' });
      const res = await postJson(`${api.url}/predict`, applicant, bearer(jwt));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const { probability } = res.body as { probability: number };
      assert.ok(probability > 0 && probability < 1);
      const oip = await postJson(`${api.url}/v2/models/loan-risk/infer`, oipBody(), bearer(jwt));
      assert.equal(oip.status, 200, JSON.stringify(oip.body));
      const { outputs } = oip.body as { outputs: { data: number[] }[] };
      assert.equal(outputs[0].data[0], probability);
    }
  });

  test('scopes: batch-only credentials cannot score, predict-only ones cannot touch batches (403)', async () => {
    const before = await rowsScored(api.url);
    const batchOnly = await token(rsa, { scope: 'batch' });
    const refused = await postJson(`${api.url}/predict`, applicant, bearer(batchOnly));
    assertRefused(refused, 403, /lacks the predict scope/);
    assert.match(refused.headers.get('www-authenticate') ?? '', /error="insufficient_scope", .*scope="predict"/);
    assertRefused(
      await postJson(`${api.url}/predict`, applicant, bearer(await token(rsa, { scope: '' }))),
      403,
      /lacks the predict scope/,
    );
    assertRefused(
      await postJson(`${api.url}/predict`, applicant, { 'x-api-key': batcher.key }),
      403,
      /portfolio-job lacks the predict scope/,
    );
    assertRefused(
      await call(`${api.url}/batches/1`, { headers: bearer(await token(rsa, { scope: 'predict' })) }),
      403,
      /lacks the batch scope/,
    );
    assertRefused(
      await call(`${api.url}/batches/1`, { headers: { 'x-api-key': scorer.key } }),
      403,
      /risk-team lacks the batch scope/,
    );
    assert.equal(await rowsScored(api.url), before);
    // With the scope, the batch routes are reached (this server has no Redis, so they say so).
    const through = await call(`${api.url}/batches/1`, { headers: { 'x-api-key': batcher.key } });
    assert.equal(through.status, 503);
    assert.match(errorOf(through), /needs Redis/);
  });

  test('expired, wrong audience, wrong issuer, no sub: 401 saying which', async () => {
    const cases: [string, Promise<string>, RegExp][] = [
      ['expired', token(rsa, { expiresIn: -120 }), /expired/],
      ['audience', token(rsa, { audience: 'another-api' }), /aud claim/],
      ['issuer', token(rsa, { issuer: 'https://elsewhere.example/' }), /iss claim/],
      ['not yet valid', token(rsa, { notBefore: 600 }), /nbf claim/],
      ['no sub', token(rsa, { sub: '' }), /no sub claim/],
    ];
    for (const [what, jwt, message] of cases) {
      const res = await postJson(`${api.url}/predict`, applicant, bearer(await jwt));
      assertRefused(res, 401, message);
      assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/, what);
    }
  });

  test('clock skew within the tolerance (30 s) is accepted', async () => {
    const justExpired = await token(rsa, { expiresIn: -10 });
    assert.equal((await postJson(`${api.url}/predict`, applicant, bearer(justExpired))).status, 200);
    const issuerAhead = await token(rsa, { notBefore: 10 });
    assert.equal((await postJson(`${api.url}/predict`, applicant, bearer(issuerAhead))).status, 200);
  });

  test('alg none, HMAC, malformed tokens and headers, unknown or forged keys: 401', async () => {
    const unsigned = new UnsecuredJWT({ scope: 'predict batch' })
      .setIssuer(jwks.url)
      .setSubject('x')
      .setIssuer('https://issuer.test.peerloan.io/')
      .setAudience('loan-risk-api')
      .setExpirationTime('5m')
      .encode();
    const stranger = await signingKey('stranger');
    const forger = await signingKey(rsa.kid);
    const [, payload] = (await token(rsa)).split('.');
    const hmacHeader = Buffer.from(JSON.stringify({ alg: 'HS256', kid: rsa.kid })).toString('base64url');
    const cases: [string, string, RegExp][] = [
      ['alg none', `Bearer ${unsigned}`, /not a valid signed JWT|algorithm/],
      ['HS256', `Bearer ${hmacHeader}.${payload}.c2lnbmF0dXJl`, /algorithm is not accepted/],
      ['garbage', 'Bearer not-a-jwt', /not a valid/],
      ['three junk parts', 'Bearer a.b.c', /not a valid/],
      ['empty', 'Bearer ', /must be "Bearer <token>"/],
      ['basic', 'Basic dXNlcjpwYXNz', /must be "Bearer <token>"/],
      ['unknown kid', `Bearer ${await token(stranger)}`, /key the issuer does not publish/],
      ['forged with a published kid', `Bearer ${await token(forger)}`, /signature does not verify/],
      [
        'signature stripped',
        `Bearer ${(await token(rsa)).replace(/\.[^.]+$/, '.')}`,
        /signature does not verify|not a valid/,
      ],
    ];
    const before = await rowsScored(api.url);
    for (const [what, authorization, message] of cases) {
      const res = await postJson(`${api.url}/predict`, applicant, { authorization });
      assert.equal(res.status, 401, `${what}: ${JSON.stringify(res.body)}`);
      assert.match(errorOf(res), message, what);
    }
    assert.equal(await rowsScored(api.url), before);
  });

  test('key rotation by kid: a newly published key is fetched; a withdrawn one stops working', async () => {
    const next = await signingKey('rsa-2');
    const early = await postJson(`${api.url}/predict`, applicant, bearer(await token(next)));
    assert.equal(early.status, 401, 'not published yet');
    jwks.publish(next);
    const fetches = jwks.fetches;
    const res = await postJson(`${api.url}/predict`, applicant, bearer(await token(next)));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.ok(jwks.fetches > fetches, 'the unknown kid made the API fetch the JWKS again');
    jwks.withdraw(rsa.kid);
    // The cached set still holds rsa-1 until a fetch: a token with an unknown kid triggers one.
    await postJson(`${api.url}/predict`, applicant, bearer(await token(await signingKey('rsa-3'))));
    assertRefused(
      await postJson(`${api.url}/predict`, applicant, bearer(await token(rsa))),
      401,
      /key the issuer does not publish/,
    );
    jwks.publish(rsa);
  });

  test('API keys: a known key scores, an unknown one is 401, and a rotated Secret takes effect without a restart', async () => {
    assert.equal((await postJson(`${api.url}/predict`, applicant, { 'x-api-key': scorer.key })).status, 200);
    assertRefused(
      await postJson(`${api.url}/predict`, applicant, { 'x-api-key': 'plk_guess' }),
      401,
      /API key is not known/,
    );
    const successor = newKey('risk-team', ['predict']);
    await volume.update(keysFileText([successor, batcher]));
    await eventually(
      'the new key is accepted',
      async () => (await postJson(`${api.url}/predict`, applicant, { 'x-api-key': successor.key })).status === 200,
    );
    assertRefused(await postJson(`${api.url}/predict`, applicant, { 'x-api-key': scorer.key }), 401, /not known/);
    // A broken update changes nothing: the loaded keys stay.
    await volume.update('{"keys": [{"client": "x", "sha256": "short"}]}');
    await eventually(
      'the broken file is seen and refused',
      async () => (await metricValue(api.url, 'loanrisk_api_keys_reloads_total{result="refused"}')) >= 1,
    );
    assert.equal((await postJson(`${api.url}/predict`, applicant, { 'x-api-key': successor.key })).status, 200);
  });

  test('half a JWT setting, a bad JWKS URL or a bad keys file stops the start with the reason', async () => {
    assert.throws(() => readConfig({ AUTH_JWKS_URL: jwks.url }), ConfigError);
    assert.throws(() => readConfig({ AUTH_ISSUER: 'x', AUTH_AUDIENCE: 'y' }), ConfigError);
    assert.throws(
      () => readConfig({ AUTH_JWKS_URL: 'file:///etc/passwd', AUTH_ISSUER: 'x', AUTH_AUDIENCE: 'y' }),
      /http\(s\) URL/,
    );
    const bad = new SecretVolume(await tempDir('api-keys-bad'));
    await bad.create('{"keys": [{"client": "x", "sha256": "00", "scopes": ["admin"]}]}');
    await assert.rejects(
      startApi({ MODEL_DIR: root, AUTH_API_KEYS_FILE: bad.file }),
      /sha256 must match pattern.*|must be equal to one of the allowed values/,
    );
    await assert.rejects(
      startApi({ MODEL_DIR: root, AUTH_API_KEYS_FILE: `${bad.dir}/missing.json` }),
      /cannot read AUTH_API_KEYS_FILE/,
    );
  });

  test('the refusals are counted by reason on /metrics', async () => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    for (const reason of ['missing', 'invalid', 'scope'])
      assert.match(text, new RegExp(`loanrisk_auth_refusals_total\\{reason="${reason}"\\} [1-9]`));
  });

  test('without AUTH_* every caller is anonymous and scores', async () => {
    const open = await startApi({ MODEL_DIR: root });
    try {
      assert.equal((await postJson(`${open.url}/predict`, applicant)).status, 200);
    } finally {
      await open.shutdown();
    }
  });
});
