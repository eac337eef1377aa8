/**
 * Seeded malformed credentials against the protected routes (/predict, OIP infer, /batches):
 * random and truncated tokens, tampered headers (alg none, HMAC, unknown algorithms and kids),
 * tampered claims (expired, other audience or issuer, not yet valid, odd types), broken
 * signatures, keys the issuer never published, odd Authorization headers and unknown API keys.
 * Each must get a 401 or 403 with a JSON error, never a 5xx, and nothing may be scored.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FEATURE_NAMES, FEATURES } from '@peerloan/contracts';
import { SignJWT, UnsecuredJWT } from 'jose';
import type { RunningServer } from '../src/server.js';
import { keysFileText, newKey, SecretVolume } from './helpers/api-keys.js';
import { postJson } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { startApi } from './helpers/api-server.js';
import { AUDIENCE, ISSUER, JwksServer, jwtEnv, signingKey, token, type SigningKey } from './helpers/jwks-server.js';
import { applicants, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';

/** mulberry32, so a failing case can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rnd: () => number, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)];
}

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

interface Case {
  readonly what: string;
  readonly headers: Record<string, string>;
}

interface Keys {
  readonly good: SigningKey;
  readonly stranger: SigningKey;
  readonly forger: SigningKey;
}

function randomText(rnd: () => number, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
  return Array.from({ length }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
}

/** A validly signed token whose claims are wrong in one way the verifier must catch. */
async function badClaims(rnd: () => number, keys: Keys): Promise<[string, string]> {
  const kind = pick(rnd, [
    'expired',
    'audience',
    'issuer',
    'nbf',
    'no-sub',
    'sub-number',
    'aud-list',
    'exp-string',
    'no-exp',
    'scope-missing',
  ]);
  const key = keys.good;
  const now = Math.floor(Date.now() / 1000);
  switch (kind) {
    case 'expired':
      return [kind, await token(key, { expiresIn: -31 - Math.floor(rnd() * 1e6) })];
    case 'audience':
      return [
        kind,
        await token(key, {
          audience: pick(rnd, ['', 'loan-risk', 'LOAN-RISK-API', `${AUDIENCE} `, 'another-api']) || 'x',
        }),
      ];
    case 'issuer':
      return [
        kind,
        await token(key, {
          issuer: pick(rnd, ['https://evil.example/', ISSUER.slice(0, -1), ISSUER.toUpperCase(), 'x']),
        }),
      ];
    case 'nbf':
      return [kind, await token(key, { notBefore: 31 + Math.floor(rnd() * 1e5) })];
    case 'no-sub':
      return [kind, await token(key, { sub: '' })];
    case 'sub-number':
      return [
        kind,
        await new SignJWT({ sub: 42 as unknown as string, scope: 'predict batch' })
          .setProtectedHeader({ alg: key.alg, kid: key.kid })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setExpirationTime(now + 300)
          .sign(key.privateKey),
      ];
    case 'aud-list':
      return [
        kind,
        await new SignJWT({ scope: 'predict batch' })
          .setProtectedHeader({ alg: key.alg, kid: key.kid })
          .setSubject('s')
          .setIssuer(ISSUER)
          .setAudience(['a', 'b'])
          .setExpirationTime(now + 300)
          .sign(key.privateKey),
      ];
    case 'exp-string':
      return [
        kind,
        await new SignJWT({ scope: 'predict batch', exp: String(now + 300) as unknown as number })
          .setProtectedHeader({ alg: key.alg, kid: key.kid })
          .setSubject('s')
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .sign(key.privateKey),
      ];
    case 'no-exp':
      return [
        kind,
        await new SignJWT({ scope: 'predict batch' })
          .setProtectedHeader({ alg: key.alg, kid: key.kid })
          .setSubject('s')
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .sign(key.privateKey),
      ];
    default:
      return [kind, await token(key, { scope: pick(rnd, ['', 'read', 'predictbatch', 'PREDICT BATCH']) })];
  }
}

/** A token whose header or signature is wrong: unsigned, HMAC, unknown alg or kid, forged, tampered. */
async function badSignature(rnd: () => number, keys: Keys): Promise<[string, string]> {
  const kind = pick(rnd, [
    'alg-none',
    'alg-none-signed',
    'hs256',
    'alg-other',
    'kid-unknown',
    'kid-missing',
    'stranger',
    'forged',
    'flipped',
    'truncated',
    'payload-swapped',
    'header-junk',
  ]);
  const good = await token(keys.good);
  const [header, payload, signature] = good.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  switch (kind) {
    case 'alg-none':
      return [kind, new UnsecuredJWT(claims).encode()];
    case 'alg-none-signed':
      return [
        kind,
        `${b64({ alg: pick(rnd, ['none', 'None', 'NONE', '']), kid: keys.good.kid })}.${payload}.${signature}`,
      ];
    case 'hs256':
      return [
        kind,
        `${b64({ alg: pick(rnd, ['HS256', 'HS384', 'HS512']), kid: keys.good.kid, typ: 'JWT' })}.${payload}.${signature}`,
      ];
    case 'alg-other':
      return [
        kind,
        `${b64({ alg: pick(rnd, ['RS512', 'PS256', 'ES384', 'EdDSA', 'RSA-OAEP', 'x', 7]), kid: keys.good.kid })}.${payload}.${signature}`,
      ];
    case 'kid-unknown':
      return [
        kind,
        await token(keys.good, { kid: pick(rnd, ['rsa-9', '', '../../etc/passwd', 'x'.repeat(2000)]) || 'k' }),
      ];
    case 'kid-missing':
      return [kind, `${b64({ alg: 'RS256' })}.${payload}.${signature}`];
    case 'stranger':
      return [kind, await token(keys.stranger)];
    case 'forged':
      return [kind, await token(keys.forger)];
    case 'flipped': {
      const bytes = Buffer.from(signature, 'base64url');
      bytes[Math.floor(rnd() * bytes.length)] ^= 1 << Math.floor(rnd() * 8);
      return [kind, `${header}.${payload}.${bytes.toString('base64url')}`];
    }
    case 'truncated':
      return [kind, good.slice(0, Math.floor(rnd() * good.length))];
    case 'payload-swapped':
      return [kind, `${header}.${b64({ ...claims, scope: 'predict batch admin', sub: 'root' })}.${signature}`];
    default:
      return [kind, `${b64(randomText(rnd, 40))}.${payload}.${signature}`];
  }
}

function junkToken(rnd: () => number): [string, string] {
  const kind = pick(rnd, ['random', 'segments', 'base64-json', 'json']);
  if (kind === 'random') return [kind, randomText(rnd, 1 + Math.floor(rnd() * 3000)).replaceAll(' ', '')];
  if (kind === 'segments')
    return [
      kind,
      Array.from({ length: Math.floor(rnd() * 6) }, () =>
        randomText(rnd, Math.floor(rnd() * 60)).replace(/[ .=+/]/g, ''),
      ).join('.'),
    ];
  if (kind === 'base64-json')
    return [kind, `${b64(pick(rnd, [{}, [], 'null', { alg: 'RS256' }, 42]))}.${b64(pick(rnd, [{}, [], '[]', 'x']))}.`];
  return [kind, JSON.stringify({ alg: 'RS256' })];
}

function authorizationVariant(rnd: () => number, jwt: string): [string, string] {
  return pick(rnd, [
    ['bearer', `Bearer ${jwt}`],
    ['bearer', `Bearer ${jwt}`],
    ['bearer', `Bearer ${jwt}`],
    ['no scheme', jwt],
    ['basic', `Basic ${jwt}`],
    ['two tokens', `Bearer ${jwt} ${jwt}`],
    ['scheme only', 'Bearer'],
  ] as [string, string][]);
}

async function makeCases(count: number, seed: number, keys: Keys): Promise<Case[]> {
  const rnd = random(seed);
  const cases: Case[] = [];
  for (let i = 0; i < count; i += 1) {
    const roll = rnd();
    let what: string;
    let jwt: string;
    if (roll < 0.3) [what, jwt] = await badClaims(rnd, keys);
    else if (roll < 0.7) [what, jwt] = await badSignature(rnd, keys);
    else if (roll < 0.85) [what, jwt] = junkToken(rnd);
    else {
      cases.push({
        what: 'api key',
        headers: { 'x-api-key': pick(rnd, [randomText(rnd, 1 + Math.floor(rnd() * 200)).trim() || 'k', 'plk_', ' ']) },
      });
      continue;
    }
    const [scheme, authorization] = authorizationVariant(rnd, jwt);
    cases.push({ what: `${what} (${scheme})`, headers: { authorization } });
  }
  return cases;
}

const ROUTES = [
  { path: '/predict', contentType: 'application/json' },
  { path: '/v2/models/loan-risk/infer', contentType: 'application/json' },
  { path: '/batches', contentType: 'text/csv' },
];

describe('fuzzing the credentials of the protected routes', () => {
  let api: RunningServer;
  let jwks: JwksServer;
  let keys: Keys;
  const person = applicants(1)[0];
  const scorer = newKey('risk-team', ['predict', 'batch']);

  before(async () => {
    const root = await tempDir('api-fuzz-auth');
    await trainModel(root, 5);
    keys = {
      good: await signingKey('rsa-1'),
      stranger: await signingKey('stranger'),
      forger: await signingKey('rsa-1'),
    };
    jwks = await JwksServer.start([keys.good, await signingKey('ec-1', 'ES256')]);
    const volume = new SecretVolume(await tempDir('api-fuzz-keys'));
    await volume.create(keysFileText([scorer]));
    // The production cooldown: junk kids must not make the API hammer the issuer.
    api = await startApi({
      MODEL_DIR: root,
      ...jwtEnv(jwks),
      AUTH_JWKS_COOLDOWN_MS: '30000',
      AUTH_API_KEYS_FILE: volume.file,
    });
  });
  after(async () => {
    await api.shutdown();
    await jwks.close();
  });

  test('400 malformed credentials each get a JSON 401 or 403, never a 5xx, and nothing is scored', async (t) => {
    const bodies: Record<string, string> = {
      '/predict': JSON.stringify(person),
      '/v2/models/loan-risk/infer': JSON.stringify({
        inputs: FEATURES.map((f) => ({
          name: f.name,
          shape: [1, 1],
          datatype: f.kind === 'numeric' ? 'FP32' : 'BYTES',
          data: [person[f.name] ?? (f.kind === 'numeric' ? 0 : '')],
        })),
      }),
      '/batches': `${FEATURE_NAMES.join(',')}\n${FEATURE_NAMES.map((f) => person[f] ?? '').join(',')}\n`,
    };
    const cases = await makeCases(400, 20261126, keys);
    const statuses = new Map<number, number>();
    const kinds = new Set<string>();
    for (const [i, c] of cases.entries()) {
      const route = ROUTES[i % ROUTES.length];
      const res = await fetch(`${api.url}${route.path}`, {
        method: 'POST',
        headers: { 'content-type': route.contentType, ...c.headers },
        body: bodies[route.path],
      });
      const text = await res.text();
      const label = `case ${i} (${c.what}) on ${route.path}: ${JSON.stringify(c.headers).slice(0, 160)}`;
      assert.ok(res.status === 401 || res.status === 403, `${label} answered ${res.status} ${text.slice(0, 200)}`);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/, label);
      assert.equal(typeof (JSON.parse(text) as { error?: unknown }).error, 'string', label);
      assert.doesNotMatch(text, /at .*\.js:\d+/, `${label} leaks a stack trace`);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      kinds.add(c.what.split(' (')[0]);
    }
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    const scored = metrics
      .split('\n')
      .filter((l) => l.startsWith('loanrisk_predictions_total{'))
      .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    assert.equal(scored, 0, 'no refused request reached the model');
    assert.ok(
      (statuses.get(403) ?? 0) > 0 && (statuses.get(401) ?? 0) > 0,
      `both refusals seen: ${JSON.stringify([...statuses])}`,
    );
    t.diagnostic(
      `cases ${cases.length}, kinds ${kinds.size}, statuses ${JSON.stringify(Object.fromEntries(statuses))}, 5xx 0, JWKS fetches ${jwks.fetches}`,
    );
    const good = await postJson(`${api.url}/predict`, person, { authorization: `Bearer ${await token(keys.good)}` });
    assert.equal(good.status, 200, 'a good token still scores afterwards');
  });
});
