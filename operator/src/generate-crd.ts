/** Writes manifests/crd/loanriskmodels.yaml from the TypeBox schemas of contracts/src/crd/. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CRD_MANIFEST_PATH, crdYaml } from './crd-manifest.js';

const repoRoot = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
const target = join(repoRoot, CRD_MANIFEST_PATH);
await mkdir(dirname(target), { recursive: true });
await writeFile(target, crdYaml());
process.stdout.write(`wrote ${CRD_MANIFEST_PATH}\n`);
