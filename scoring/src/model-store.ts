/**
 * Holds the model being served and follows MODEL_DIR. MODEL_DIR is either one version folder
 * (served as it is) or a models root, in which a version source names the folder to serve: by
 * default the root's `current` file (local development; the trainer moves it for every run),
 * in a cluster the LoanRiskModel's live version (live-version-watch.ts). The source is polled
 * (fs.watch misses renames on some volumes, and a Kubernetes volume update is a symlink swap)
 * and may ask for a look at once; each new target is loaded and smoke-tested, and only then
 * swapped in with one assignment. A refused version is logged and counted, and not retried until
 * the source names another one (or, with retryRefusedMs, until that long has passed); the old
 * version keeps serving.
 */
import { access, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from 'pino';
import { ARTIFACT_FILES, CURRENT_POINTER } from '@peerloan/contracts';
import { ModelLoadError } from './errors/model-load-error.js';
import type { LoadedModel } from './loaded-model.js';
import type { MicroBatcherOptions } from './micro-batcher.js';
import { loadModelVersion } from './model-loader.js';

const SELF = '';

/** Which model a store holds: the one answering, or a candidate tried beside it. */
export type ModelRole = 'live' | 'candidate';

/** Who hears about a store's loads and refusals (model-metrics.ts counts them). */
export interface ModelEvents {
  modelLoaded(role: ModelRole, version: string): void;
  modelRefused(role: ModelRole, stage: string): void;
}

/** Names the version folder of a models root to serve now. */
export interface VersionSource {
  /** Where the name comes from, for logs and errors. */
  readonly description: string;
  /** The version folder's name; undefined while there is none. */
  read(): Promise<string | undefined>;
}

export interface ModelStoreOptions {
  readonly modelDir: string;
  readonly pollMs: number;
  /** What names the version inside the models root MODEL_DIR; default: the root's `current` file. */
  readonly versionSource?: VersionSource;
  /** Load a refused version again after this long; default: only once the source names another. */
  readonly retryRefusedMs?: number;
  readonly batching: MicroBatcherOptions;
  readonly logger: Logger;
  readonly metrics: ModelEvents;
  /** Default live; a candidate's loads and refusals are counted apart from the live model's. */
  readonly role?: ModelRole;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The models root's `current` file: what the trainer last published, gated or not. */
function pointerFile(modelDir: string): VersionSource {
  const path = join(modelDir, CURRENT_POINTER);
  return {
    description: path,
    read: async () => {
      const name = await readFile(path, 'utf8').then(
        (text) => text.trim(),
        () => '',
      );
      return name === '' ? undefined : name;
    },
  };
}

/** A version named once by the environment (LIVE_VERSION, CANDIDATE_VERSION): what the operator deployed. */
export function namedVersion(variable: string, version: string): VersionSource {
  return { description: `${variable}=${version}`, read: () => Promise.resolve(version) };
}

export class ModelStore {
  private model: LoadedModel | undefined;
  private lastTarget: string | undefined;
  private refusedAt: number | undefined;
  private reportedNoTarget = false;
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private servingWaiters: Array<() => void> = [];
  private readonly source: VersionSource;
  private readonly role: ModelRole;

  constructor(private readonly options: ModelStoreOptions) {
    this.source = options.versionSource ?? pointerFile(options.modelDir);
    this.role = options.role ?? 'live';
  }

  /** The version serving now; take it once per request. */
  get current(): LoadedModel | undefined {
    return this.model;
  }

  /** Resolves once a version serves (at once when one does). */
  whenServing(): Promise<void> {
    if (this.model) return Promise.resolve();
    return new Promise((resolve) => this.servingWaiters.push(resolve));
  }

  /** Loads what MODEL_DIR names now, then follows the version source of a models root. */
  async start(): Promise<void> {
    const follows =
      this.options.versionSource !== undefined || !(await exists(join(this.options.modelDir, ARTIFACT_FILES.manifest)));
    await this.check();
    if (!follows) return;
    this.timer = setInterval(() => void this.check(), this.options.pollMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One look at the source: loads and swaps in a new target; never throws. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const target = await this.readTarget();
      if (target === undefined) {
        this.reportNoTarget();
        return;
      }
      this.reportedNoTarget = false;
      if (target === this.lastTarget && !this.retryDue()) return;
      this.lastTarget = target;
      this.refusedAt = undefined;
      await this.load(this.versionDir(target));
    } catch (err) {
      this.refusedAt = Date.now();
      this.refuse(err);
    } finally {
      this.checking = false;
    }
  }

  /** SELF when MODEL_DIR is a version folder (and no source is given), else the source's name. */
  private async readTarget(): Promise<string | undefined> {
    const { modelDir, versionSource } = this.options;
    if (!versionSource && (await exists(join(modelDir, ARTIFACT_FILES.manifest)))) return SELF;
    return this.source.read();
  }

  private retryDue(): boolean {
    const { retryRefusedMs } = this.options;
    return (
      retryRefusedMs !== undefined && this.refusedAt !== undefined && Date.now() - this.refusedAt >= retryRefusedMs
    );
  }

  private versionDir(target: string): string {
    const { modelDir } = this.options;
    if (target === SELF) return modelDir;
    // The source names a folder inside the root, never a path elsewhere.
    if (target !== basename(target) || target.startsWith('.')) {
      throw new ModelLoadError(
        modelDir,
        'pointer',
        `${this.source.description} must name a version folder in ${modelDir}, got "${target}"`,
      );
    }
    return join(modelDir, target);
  }

  private async load(dir: string): Promise<void> {
    const next = await loadModelVersion(dir, this.options.batching);
    const previous = this.model;
    this.model = next;
    previous?.retire();
    this.options.metrics.modelLoaded(this.role, next.version);
    this.options.logger.info(
      { role: this.role, version: next.version, dir, previous: previous?.version, source: this.source.description },
      'model serving',
    );
    for (const resolve of this.servingWaiters.splice(0)) resolve();
  }

  /** Said once each time the source stops naming a version: nothing to load, or nothing new. */
  private reportNoTarget(): void {
    if (this.reportedNoTarget) return;
    this.reportedNoTarget = true;
    const serving = this.model?.version ?? null;
    this.options.logger.warn(
      { source: this.source.description, serving },
      serving ? 'no version named, keeping the one serving' : 'no version to serve yet, waiting',
    );
  }

  private refuse(err: unknown): void {
    const stage = err instanceof ModelLoadError ? err.stage : 'unexpected';
    this.options.metrics.modelRefused(this.role, stage);
    this.options.logger.error({ err, role: this.role, stage, serving: this.model?.version ?? null }, 'model refused');
  }
}
