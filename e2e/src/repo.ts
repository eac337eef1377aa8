import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is e2e/dist/src/repo.js once built). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
