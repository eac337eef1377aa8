// What authentication adds to a request, measured on the verifying code itself (no HTTP, so the
// figure is not buried in the shared machine's noise): microseconds per API-key lookup and per
// JWT verification (RS256 and ES256, keys fetched once from a JWKS served on 127.0.0.1).
// Run after `npm run build`: node bench/auth-bench.mjs
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { ApiKeyStore } from '../api/dist/src/auth/api-key-store.js';
import { JwtVerifier } from '../api/dist/src/auth/jwt-verifier.js';

const logger = pino({ level: 'silent' });

async function perCall(label, count, call) {
  for (let i = 0; i < Math.min(500, count); i += 1) await call(i);
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < count; i += 1) await call(i);
  const wallUs = Number(process.hrtime.bigint() - start) / 1000 / count;
  const cpu = process.cpuUsage(cpuStart);
  const cpuUs = (cpu.user + cpu.system) / count;
  console.log(`| ${label} | ${count.toLocaleString('en')} | ${wallUs.toFixed(1)} | ${cpuUs.toFixed(1)} |`);
}

const dir = await mkdtemp(join(tmpdir(), 'auth-bench-'));
const keys = Array.from({ length: 1000 }, (_, i) => `plk_bench_key_${i}_${'x'.repeat(24)}`);
await writeFile(
  join(dir, 'keys.json'),
  JSON.stringify({
    keys: keys.map((k, i) => ({
      client: `client-${i}`,
      sha256: createHash('sha256').update(k).digest('hex'),
      scopes: ['predict'],
    })),
  }),
);
const store = await ApiKeyStore.open({ file: join(dir, 'keys.json'), pollMs: 60_000 }, logger, new Registry());

const pairs = {
  RS256: await generateKeyPair('RS256', { extractable: true }),
  ES256: await generateKeyPair('ES256', { extractable: true }),
};
const jwks = {
  keys: await Promise.all(
    Object.entries(pairs).map(async ([alg, p]) => ({ ...(await exportJWK(p.publicKey)), alg, kid: alg, use: 'sig' })),
  ),
};
let fetches = 0;
const server = createServer((_req, res) => {
  fetches += 1;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(jwks));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const verifier = new JwtVerifier({
  jwksUrl: new URL(`http://127.0.0.1:${server.address().port}/`),
  issuer: 'https://issuer.bench/',
  audience: 'loan-risk-api',
  clockToleranceSeconds: 30,
  jwksCooldownMs: 30_000,
});
const tokenFor = (alg) =>
  new SignJWT({ scope: 'predict' })
    .setProtectedHeader({ alg, kid: alg })
    .setSubject('bench')
    .setIssuer('https://issuer.bench/')
    .setAudience('loan-risk-api')
    .setExpirationTime('1h')
    .sign(pairs[alg].privateKey);
const tokens = { RS256: await tokenFor('RS256'), ES256: await tokenFor('ES256') };

console.log(`Node ${process.version}, ${new Date().toISOString()}`);
console.log('| check | calls | wall µs/call | CPU µs/call |');
console.log('| --- | ---: | ---: | ---: |');
await perCall('API key: SHA-256 + Map lookup (1,000 keys loaded)', 200_000, (i) => {
  if (!store.lookup(keys[i % keys.length])) throw new Error('lookup failed');
});
await perCall('API key: unknown key', 200_000, () => {
  if (store.lookup('plk_unknown')) throw new Error('found');
});
for (const alg of ['RS256', 'ES256'])
  await perCall(`JWT ${alg}: jose jwtVerify, cached JWKS`, 5_000, () => verifier.verify(tokens[alg]));
console.log(`JWKS fetches during the run: ${fetches}`);
store.close();
server.close();
