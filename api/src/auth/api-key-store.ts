/**
 * Static API keys for simple setups. The file (a Kubernetes Secret mounted as a volume) holds
 * only SHA-256 hashes of the keys, with the client each names and its scopes:
 *
 *   {"keys": [{"client": "risk-team", "sha256": "<64 hex>", "scopes": ["predict", "batch"]}]}
 *
 * A presented key is hashed and looked up in a Map: no file read and no comparison loop per
 * request. The file is polled (fs.watchFile stats through the symlink a Secret update swaps)
 * and reloaded on change; a file that fails to read or validate leaves the loaded keys in place.
 */
import { createHash } from 'node:crypto';
import { unwatchFile, watchFile } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Ajv, type JSONSchemaType } from 'ajv';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { SCOPES, type Scope } from '@peerloan/contracts';
import { ApiKeysFileError } from '../errors/api-keys-file-error.js';
import type { ApiKeySettings } from './auth-settings.js';
import type { ClientIdentity } from './client-identity.js';

interface ApiKeyEntry {
  client: string;
  sha256: string;
  scopes: Scope[];
}

interface ApiKeysFile {
  keys: ApiKeyEntry[];
}

const FILE_SCHEMA: JSONSchemaType<ApiKeysFile> = {
  type: 'object',
  additionalProperties: false,
  required: ['keys'],
  properties: {
    keys: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['client', 'sha256', 'scopes'],
        properties: {
          client: { type: 'string', pattern: '^[A-Za-z0-9._@:-]{1,128}$' },
          sha256: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
          scopes: { type: 'array', items: { type: 'string', enum: [...SCOPES] }, uniqueItems: true },
        },
      },
    },
  },
};

const validateFile = new Ajv({ allErrors: true, strict: true }).compile(FILE_SCHEMA);

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The file's text -> the key table, or an ApiKeysFileError naming what is wrong. */
export function parseApiKeys(text: string, file: string): Map<string, ClientIdentity> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ApiKeysFileError(`${file} is not JSON: ${(err as Error).message}`);
  }
  if (!validateFile(value)) {
    const problems = (validateFile.errors ?? [])
      .map((e) => `${e.instancePath || '(file)'} ${e.message ?? 'is invalid'}`)
      .join('; ');
    throw new ApiKeysFileError(
      `${file} is not an API keys file ({"keys": [{"client", "sha256", "scopes"}]}): ${problems}`,
    );
  }
  const table = new Map<string, ClientIdentity>();
  for (const { client, sha256, scopes } of value.keys) {
    const hash = sha256.toLowerCase();
    if (table.has(hash)) throw new ApiKeysFileError(`${file} lists the key hash ${hash.slice(0, 12)}... twice`);
    table.set(hash, Object.freeze({ id: client, kind: 'api-key', scopes: Object.freeze([...scopes]) }));
  }
  return table;
}

export class ApiKeyStore {
  private table = new Map<string, ClientIdentity>();
  private readonly onChange = () => void this.reload();

  private constructor(
    private readonly settings: ApiKeySettings,
    private readonly logger: Logger,
    private readonly reloads: Counter<'result'>,
  ) {}

  /** Loads the file (refusing to start on a bad one) and follows its changes. */
  static async open(settings: ApiKeySettings, logger: Logger, registry: Registry): Promise<ApiKeyStore> {
    const reloads = new Counter({
      name: 'loanrisk_api_keys_reloads_total',
      help: 'Changes of the API keys file seen, by result (loaded, refused: the keys loaded before stay)',
      labelNames: ['result'] as const,
      registers: [registry],
    });
    const store = new ApiKeyStore(settings, logger, reloads);
    store.table = await store.read();
    watchFile(settings.file, { interval: settings.pollMs, persistent: false }, store.onChange);
    return store;
  }

  /** The client a presented key names, if any. */
  lookup(key: string): ClientIdentity | undefined {
    return this.table.get(hashApiKey(key));
  }

  get size(): number {
    return this.table.size;
  }

  close(): void {
    unwatchFile(this.settings.file, this.onChange);
  }

  private async read(): Promise<Map<string, ClientIdentity>> {
    let text: string;
    try {
      text = await readFile(this.settings.file, 'utf8');
    } catch (err) {
      throw new ApiKeysFileError(`cannot read AUTH_API_KEYS_FILE ${this.settings.file}: ${(err as Error).message}`);
    }
    return parseApiKeys(text, this.settings.file);
  }

  private async reload(): Promise<void> {
    try {
      this.table = await this.read();
      this.reloads.inc({ result: 'loaded' });
      this.logger.info({ file: this.settings.file, keys: this.table.size }, 'api keys reloaded');
    } catch (err) {
      this.reloads.inc({ result: 'refused' });
      this.logger.error(
        { err, file: this.settings.file, keys: this.table.size },
        'api keys file refused; the loaded keys stay',
      );
    }
  }
}
