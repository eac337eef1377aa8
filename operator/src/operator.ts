/**
 * The running controller: watches LoanRiskModels, the Jobs and Deployments they own and the
 * LoanRiskModelApprovals that decide on their candidates, feeds the models' keys into the work
 * queue, and runs reconcile workers while this instance leads.
 */
import { inspect } from 'node:util';
import {
  AppsV1Api,
  BatchV1Api,
  CustomObjectsApi,
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import {
  APPROVAL_PLURAL,
  CRD_GROUP,
  CRD_KIND,
  CRD_PLURAL,
  CRD_VERSION,
  type LoanRiskModel,
  type LoanRiskModelApproval,
} from '@peerloan/contracts';
import type { OperatorConfig } from './config.js';
import { startHealthServer, type HealthServer, type Readiness } from '@peerloan/contracts/runtime';
import { isConflict, KubeClient } from './kube.js';
import { FIELD_MANAGER, MANAGED_BY } from './labels.js';
import { LeaderElector } from './leader-election.js';
import { OperatorMetrics } from './metrics.js';
import { Reconciler } from './reconcile.js';
import { WorkQueue } from './work-queue.js';

type Watch = Informer<KubernetesObject> & ObjectCache<KubernetesObject>;

const WATCH_RETRY_MAX_MS = 30_000;
/**
 * The watches a leader needs listed before it is ready. The approvals watch is not one of them: a
 * cluster without the LoanRiskModelApproval CRD still runs every model that needs no approval, and
 * each pass lists the approvals itself (its watch only makes a decision act at once).
 */
const REQUIRED_WATCHES = ['loanriskmodels', 'jobs', 'deployments'];

export class Operator {
  readonly metrics: OperatorMetrics;
  private readonly reconciler: Reconciler;
  private elector?: LeaderElector;
  private queue?: WorkQueue;
  private watches: Watch[] = [];
  private workers: Promise<void>[] = [];
  private resyncTimer?: NodeJS.Timeout;
  /** Watches whose list succeeded since this instance started leading. */
  private readonly listed = new Set<string>();
  private leading = false;
  private health?: HealthServer;

  constructor(
    private readonly kc: KubeConfig,
    private readonly config: OperatorConfig,
    private readonly log: Logger,
    options: { defaultMetrics?: boolean } = {},
  ) {
    this.metrics = new OperatorMetrics(options.defaultMetrics);
    this.reconciler = new Reconciler(new KubeClient(kc), log, undefined, undefined, {
      imagePullSecrets: config.imagePullSecrets,
    });
  }

  get isLeader(): boolean {
    return this.leading;
  }

  get healthPort(): number | undefined {
    return this.health?.port;
  }

  /** Ready: a standby is ready to take over; a leader once every watch has listed successfully. */
  get readiness(): Readiness {
    if (!this.leading || (this.watches.length > 0 && REQUIRED_WATCHES.every((w) => this.listed.has(w))))
      return { ready: true };
    return { ready: false, reason: 'watches not synced' };
  }

  async start(): Promise<void> {
    this.health = await startHealthServer({
      host: this.config.metricsHost,
      port: this.config.metricsPort,
      metrics: this.metrics.registry,
      readiness: () => this.readiness,
    });
    this.log.info(
      { port: this.health.port, host: this.config.metricsHost, watchNamespace: this.config.watchNamespace ?? '(all)' },
      'operator started',
    );
    if (!this.config.leaderElection) {
      await this.startLeading();
      return;
    }
    this.elector = new LeaderElector(
      this.kc,
      {
        namespace: this.config.leaseNamespace,
        name: this.config.leaseName,
        identity: this.config.identity,
        leaseDurationSeconds: this.config.leaseDurationSeconds,
        retryPeriodMs: this.config.retryPeriodMs,
      },
      {
        onStartedLeading: () => void this.startLeading(),
        onStoppedLeading: () =>
          void this.stopLeading().then(() => {
            this.onLostLeadership();
          }),
      },
      this.log,
    );
    this.elector.start();
  }

  /** Called after leadership is lost; main exits so the Pod restarts as a fresh candidate. */
  onLostLeadership: () => void = () => {};

  async stop(): Promise<void> {
    this.onLostLeadership = () => {};
    await this.elector?.stop();
    await this.stopLeading();
    await this.health?.close();
  }

  private async startLeading(): Promise<void> {
    if (this.leading) return;
    this.leading = true;
    this.metrics.leader.set(1);
    const queue = new WorkQueue();
    this.queue = queue;
    this.metrics.queueDepthSource = () => queue.depth;
    this.watches = this.makeWatches(queue);
    const models = this.modelsWatch;
    // The models informer holds LoanRiskModels only.
    this.metrics.modelsSource = () => (models?.list() ?? []) as LoanRiskModel[];
    for (let i = 0; i < this.config.workers; i++) this.workers.push(this.work(queue));
    await Promise.all(this.watches.map((w) => this.startWatch(w)));
    this.resyncTimer = setInterval(() => {
      this.enqueueAll(queue);
    }, this.config.resyncMs);
    this.resyncTimer.unref();
  }

  private async stopLeading(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    this.listed.clear();
    this.metrics.leader.set(0);
    this.metrics.modelsSource = () => [];
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    await Promise.all(this.watches.map((w) => w.stop()));
    this.watches = [];
    this.queue?.shutDown();
    await Promise.all(this.workers);
    this.workers = [];
  }

  /** The LoanRiskModels informer: makeWatches puts it first; none while not leading. */
  private get modelsWatch(): Watch | undefined {
    return this.watches.at(0);
  }

  private makeWatches(queue: WorkQueue): Watch[] {
    const ns = this.config.watchNamespace;
    const custom = this.kc.makeApiClient(CustomObjectsApi);
    const batch = this.kc.makeApiClient(BatchV1Api);
    const apps = this.kc.makeApiClient(AppsV1Api);
    const managed = `${MANAGED_BY}=${FIELD_MANAGER}`;
    const scope = (group: string, plural: string) => `/apis/${group}/${ns ? `namespaces/${ns}/` : ''}${plural}`;
    const tracked = (name: string, list: () => Promise<unknown>) => async () => {
      const result = await list();
      this.listed.add(name);
      return result as KubernetesListObject<KubernetesObject>;
    };

    const customList = (plural: string) => () =>
      ns
        ? custom.listNamespacedCustomObject({ group: CRD_GROUP, version: CRD_VERSION, plural, namespace: ns })
        : custom.listClusterCustomObject({ group: CRD_GROUP, version: CRD_VERSION, plural });

    const models = makeInformer(
      this.kc,
      scope(`${CRD_GROUP}/${CRD_VERSION}`, CRD_PLURAL),
      tracked('loanriskmodels', customList(CRD_PLURAL)),
    );
    const jobs = makeInformer(
      this.kc,
      scope('batch/v1', 'jobs'),
      tracked('jobs', () =>
        ns
          ? batch.listNamespacedJob({ namespace: ns, labelSelector: managed })
          : batch.listJobForAllNamespaces({ labelSelector: managed }),
      ),
      managed,
    );
    const approvals = makeInformer(
      this.kc,
      scope(`${CRD_GROUP}/${CRD_VERSION}`, APPROVAL_PLURAL),
      tracked('loanriskmodelapprovals', customList(APPROVAL_PLURAL)),
    );
    const deployments = makeInformer(
      this.kc,
      scope('apps/v1', 'deployments'),
      tracked('deployments', () =>
        ns
          ? apps.listNamespacedDeployment({ namespace: ns, labelSelector: managed })
          : apps.listDeploymentForAllNamespaces({ labelSelector: managed }),
      ),
      managed,
    );

    const enqueueSelf = (obj: KubernetesObject) => {
      queue.add(`${obj.metadata?.namespace}/${obj.metadata?.name}`);
    };
    // A child's event belongs to the LoanRiskModel named by its controller owner reference.
    const enqueueOwner = (obj: KubernetesObject) => {
      const owner = obj.metadata?.ownerReferences?.find((o) => o.controller && o.kind === CRD_KIND);
      if (owner) queue.add(`${obj.metadata?.namespace}/${owner.name}`);
    };
    models.on('add', enqueueSelf);
    models.on('update', enqueueSelf);
    for (const child of [jobs, deployments]) {
      child.on('add', enqueueOwner);
      child.on('update', enqueueOwner);
      child.on('delete', enqueueOwner);
    }
    // An approval names the model it decides on (immutable, so an add is the only event that matters).
    approvals.on('add', (obj: KubernetesObject) => {
      queue.add(`${obj.metadata?.namespace}/${(obj as LoanRiskModelApproval).spec.model}`);
    });
    return [models, jobs, deployments, approvals] as Watch[];
  }

  /** A watch that ends with an error is started again after a pause that grows until events flow again. */
  private async startWatch(watch: Watch): Promise<void> {
    let restarts = 0;
    watch.on('error', (err) => {
      if (!this.leading) return;
      const delayMs = Math.min(500 * 2 ** restarts++, WATCH_RETRY_MAX_MS);
      this.log.warn({ err: err instanceof Error ? err.message : String(err), delayMs }, 'watch failed, restarting');
      setTimeout(() => {
        if (this.leading && this.watches.includes(watch)) void watch.start();
      }, delayMs).unref();
    });
    watch.on('change', () => {
      restarts = 0;
    });
    await watch.start();
  }

  private enqueueAll(queue: WorkQueue): void {
    for (const m of this.modelsWatch?.list() ?? []) queue.add(`${m.metadata?.namespace}/${m.metadata?.name}`);
  }

  private async work(queue: WorkQueue): Promise<void> {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      const [namespace, name] = key.split('/');
      const end = this.metrics.duration.startTimer();
      try {
        const result = await this.reconciler.reconcile(namespace, name);
        queue.forget(key);
        this.metrics.reconciles.inc({ result: 'success' });
        if (result.requeueAfterMs) queue.addAfter(key, result.requeueAfterMs);
      } catch (err) {
        this.metrics.reconciles.inc({ result: 'error' });
        this.metrics.errors.inc();
        const delayMs = queue.addRateLimited(key);
        // A 409 means the object moved on under us; the next pass reads the new version.
        if (isConflict(err)) this.log.debug({ key, retryInMs: delayMs }, 'reconcile conflict, requeued');
        else this.log.error({ key, err: describe(err), retryInMs: delayMs }, 'reconcile failed');
      } finally {
        end();
        queue.done(key);
      }
    }
  }
}

function describe(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err);
  const { code, body, message } = err as { code?: number; body?: unknown; message?: string };
  if (code && body)
    return `HTTP ${code}: ${typeof body === 'string' ? body.slice(0, 500) : JSON.stringify(body).slice(0, 500)}`;
  return message ?? inspect(err, { breakLength: Infinity });
}
