/** Writes the CRDs and approval policies under manifests/ from the TypeBox schemas of contracts/src/crd/. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedManifests } from './crd-manifest.js';

const repoRoot = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
for (const [path, text] of Object.entries(generatedManifests())) {
  const target = join(repoRoot, path);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, text);
  process.stdout.write(`wrote ${path}\n`);
}
