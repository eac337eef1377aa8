/**
 * API keys files laid out as the kubelet lays out a Secret volume: the file is a symlink to
 * `..data/<name>`, `..data` a symlink to a timestamped folder, and an update writes a new
 * folder and swaps `..data` atomically.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface KeyEntry {
  readonly client: string;
  readonly key: string;
  readonly scopes: readonly string[];
}

export function newKey(client: string, scopes: readonly string[]): KeyEntry {
  return { client, key: `plk_${randomBytes(24).toString('base64url')}`, scopes };
}

export function keysFileText(entries: readonly KeyEntry[]): string {
  return JSON.stringify({
    keys: entries.map((e) => ({
      client: e.client,
      sha256: createHash('sha256').update(e.key).digest('hex'),
      scopes: e.scopes,
    })),
  });
}

export class SecretVolume {
  private generation = 0;

  constructor(
    readonly dir: string,
    readonly name = 'api-keys.json',
  ) {}

  get file(): string {
    return join(this.dir, this.name);
  }

  /** Writes the first version and the symlinks. */
  async create(text: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await this.writeVersion(text);
    await symlink(join('..data', this.name), this.file);
  }

  /** A new version in a new folder, then `..data` swapped to it in one rename. */
  async update(text: string): Promise<void> {
    await this.writeVersion(text);
  }

  private async writeVersion(text: string): Promise<void> {
    this.generation += 1;
    const folder = `..${Date.now()}_${this.generation}`;
    await mkdir(join(this.dir, folder));
    await writeFile(join(this.dir, folder, this.name), text);
    const tmpLink = join(this.dir, '..data_tmp');
    await symlink(folder, tmpLink);
    await rename(tmpLink, join(this.dir, '..data'));
  }
}
