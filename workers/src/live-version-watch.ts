/**
 * Follows one LoanRiskModel and names the version its servers run: status.pinnedVersion (a pin
 * the operator validated), else status.liveVersion, the operator's record of what passed the
 * quality gate. spec.pinnedVersion is only a request: a pin the operator refuses never reaches
 * the status, so it moves nothing here either. A worker in the
 * cluster loads that folder of the models root, never the root's `current` file, which the
 * trainer moves for every run, candidates the gate then rejects included.
 *
 * The drift monitor reads the same object's spec.drift through `model`.
 *
 * One list + watch of just that object (a field selector on its name), like the operator's
 * informers: a change asks the model store for a look at once; a watch that fails is started
 * again after a pause that grows while failures repeat. Meanwhile the last version seen stays.
 */
import {
  CustomObjectsApi,
  ListWatch,
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { CRD_GROUP, CRD_PLURAL, CRD_VERSION, servedVersion, type LoanRiskModel } from '@peerloan/contracts';
import type { VersionSource } from '@peerloan/scoring';

export interface ModelResource {
  readonly name: string;
  readonly namespace: string;
}

/** For a worker told to serve only a LoanRiskModel's version but not told which: it names none. */
export const UNNAMED_MODEL_RESOURCE: VersionSource = {
  description: "no LoanRiskModel named: set LRM_NAME (the chart's worker.driftModelName or loanRiskModel.name)",
  read: () => Promise.resolve(undefined),
};

const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 30_000;

export class LiveVersionWatch implements VersionSource {
  readonly description: string;
  private readonly informer: ListWatch<KubernetesObject>;
  private readonly listeners: Array<() => void> = [];
  private failures = 0;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    kubeConfig: KubeConfig,
    private readonly resource: ModelResource,
    private readonly logger: Logger,
  ) {
    this.description = `LoanRiskModel ${resource.namespace}/${resource.name} (status.pinnedVersion, else status.liveVersion)`;
    const objects = kubeConfig.makeApiClient(CustomObjectsApi);
    const fieldSelector = `metadata.name=${resource.name}`;
    const list = async () =>
      (await objects.listNamespacedCustomObject({
        group: CRD_GROUP,
        version: CRD_VERSION,
        plural: CRD_PLURAL,
        namespace: resource.namespace,
        fieldSelector,
      })) as KubernetesListObject<KubernetesObject>;
    const path = `/apis/${CRD_GROUP}/${CRD_VERSION}/namespaces/${resource.namespace}/${CRD_PLURAL}`;
    this.informer = new ListWatch(path, new Watch(kubeConfig), list, false, undefined, fieldSelector);
    this.informer.on('change', () => {
      this.changed();
    });
    this.informer.on('error', (err) => {
      this.failed(err);
    });
  }

  /** Calls `listener` whenever the object changes (the version may have). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Lists the object once (so read() answers), then watches it. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.informer.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.informer.stop();
  }

  /** The object as last seen (undefined before the first list, or while it does not exist). */
  get model(): LoanRiskModel | undefined {
    return this.informer.get(this.resource.name, this.resource.namespace) as LoanRiskModel | undefined;
  }

  read(): Promise<string | undefined> {
    const model = this.model;
    return Promise.resolve(model ? servedVersion(model.status) : undefined);
  }

  private changed(): void {
    this.failures = 0;
    for (const listener of this.listeners) listener();
  }

  private failed(err: unknown): void {
    if (this.stopped) return;
    const delayMs = Math.min(RETRY_FIRST_MS * 2 ** this.failures++, RETRY_MAX_MS);
    const { name, namespace } = this.resource;
    this.logger.warn({ err: describe(err), name, namespace, delayMs }, 'LoanRiskModel watch failed, restarting');
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) void this.informer.start();
    }, delayMs);
    this.retryTimer.unref();
  }
}

/** The API server's answer (a 403 names the missing permission) or the error's message. */
function describe(err: unknown): string {
  // Whatever was thrown: only an object can carry these fields.
  const e: { code?: unknown; statusCode?: unknown; body?: unknown; message?: unknown } =
    typeof err === 'object' && err !== null ? err : {};
  const code = e.code ?? e.statusCode;
  if (typeof code === 'number' && e.body)
    return `HTTP ${code}: ${typeof e.body === 'string' ? e.body.slice(0, 300) : JSON.stringify(e.body).slice(0, 300)}`;
  return typeof e.message === 'string' ? e.message : String(err);
}
