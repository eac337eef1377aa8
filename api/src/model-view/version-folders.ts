/**
 * The version folders of the models root as the model view reads them: each version's
 * manifest.json, model-card.json and report.html, found by name. A version name is checked
 * before it becomes a path, so a request can name a folder of the root and nothing else.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelManifest } from '@peerloan/contracts';

/** Names the trainer gives versions (content hashes, dates): letters, digits, dot, dash, underscore. */
const VERSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export type VersionFile = 'manifest.json' | 'model-card.json' | 'report.html';

export class VersionFolders {
  constructor(private readonly root: string) {}

  /** The folder of `version`, or undefined when the name cannot be one. */
  folderOf(version: string): string | undefined {
    return VERSION_NAME.test(version) ? join(this.root, version) : undefined;
  }

  /** A file of a version's folder; undefined when the version or the file does not exist. */
  async read(version: string, file: VersionFile, folder = this.folderOf(version)): Promise<Buffer | undefined> {
    if (!folder) return undefined;
    return readFile(join(folder, file)).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR')
        return undefined;
      throw err;
    });
  }

  /** Every version of the root with a readable manifest, newest first. */
  async manifests(): Promise<ModelManifest[]> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch(() => []);
    const found = await Promise.all(
      entries
        .filter((e) => e.isDirectory() && VERSION_NAME.test(e.name))
        .map(async (e) => {
          const text = await this.read(e.name, 'manifest.json').catch(() => undefined);
          if (!text) return undefined;
          try {
            return JSON.parse(text.toString('utf8')) as ModelManifest;
          } catch {
            return undefined;
          }
        }),
    );
    return found
      .filter((m): m is ModelManifest => m !== undefined && typeof m.version === 'string')
      .sort((a, b) => b.created.localeCompare(a.created));
  }
}
