/**
 * Holds the model being served and follows MODEL_DIR. MODEL_DIR is either one version folder
 * (served as it is) or a models root whose `current` file names the version folder to serve;
 * the pointer is polled (fs.watch misses renames on some volumes, and a Kubernetes volume
 * update is a symlink swap), each new target is loaded and smoke-tested, and only then swapped
 * in with one assignment. A refused version is logged and counted, and not retried until the
 * pointer changes again; the old version keeps serving.
 */
import { access, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from 'pino';
import { ARTIFACT_FILES, CURRENT_POINTER } from '@peerloan/contracts';
import { ModelLoadError } from './errors/model-load-error.js';
import type { LoadedModel } from './loaded-model.js';
import type { Metrics } from './metrics.js';
import type { MicroBatcherOptions } from './micro-batcher.js';
import { loadModelVersion } from './model-loader.js';

const SELF = '';

export interface ModelStoreOptions {
  readonly modelDir: string;
  readonly pollMs: number;
  readonly batching: MicroBatcherOptions;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

export class ModelStore {
  private model: LoadedModel | undefined;
  private lastTarget: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(private readonly options: ModelStoreOptions) {}

  /** The version serving now; take it once per request. */
  get current(): LoadedModel | undefined {
    return this.model;
  }

  /** Loads what MODEL_DIR names now, then follows a models root's pointer. */
  async start(): Promise<void> {
    const followsPointer = !(await exists(join(this.options.modelDir, ARTIFACT_FILES.manifest)));
    await this.check();
    if (!followsPointer) return;
    this.timer = setInterval(() => void this.check(), this.options.pollMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One look at MODEL_DIR: loads and swaps in a new target; never throws. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const target = await this.readTarget();
      if (target === undefined || target === this.lastTarget) return;
      this.lastTarget = target;
      await this.load(this.versionDir(target));
    } catch (err) {
      this.refuse(err);
    } finally {
      this.checking = false;
    }
  }

  /** SELF when MODEL_DIR is a version folder, else the pointer's text (undefined while absent). */
  private async readTarget(): Promise<string | undefined> {
    const { modelDir } = this.options;
    if (await exists(join(modelDir, ARTIFACT_FILES.manifest))) return SELF;
    const name = await readFile(join(modelDir, CURRENT_POINTER), 'utf8').then((text) => text.trim(), () => '');
    return name === '' ? undefined : name;
  }

  private versionDir(target: string): string {
    const { modelDir } = this.options;
    if (target === SELF) return modelDir;
    // The pointer names a folder inside the root, never a path elsewhere.
    if (target !== basename(target) || target.startsWith('.')) {
      throw new ModelLoadError(modelDir, 'pointer', `${CURRENT_POINTER} must name a version folder in ${modelDir}, got "${target}"`);
    }
    return join(modelDir, target);
  }

  private async load(dir: string): Promise<void> {
    const next = await loadModelVersion(dir, this.options.batching);
    const previous = this.model;
    this.model = next;
    previous?.retire();
    this.options.metrics.servingVersion(next.version);
    this.options.logger.info({ version: next.version, dir, previous: previous?.version }, 'model serving');
  }

  private refuse(err: unknown): void {
    const stage = err instanceof ModelLoadError ? err.stage : 'unexpected';
    this.options.metrics.modelRefusals.inc({ stage });
    this.options.logger.error({ err, stage, serving: this.model?.version ?? null }, 'model refused');
  }
}
