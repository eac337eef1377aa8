/**
 * Tells the world a model drifted or recovered. In a cluster: the LoanRiskModel's `Drifted`
 * condition (metav1.Condition) and an Event; outside one: a log line and, when configured, a
 * JSON POST to a webhook.
 */
import * as k8s from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { CRD_API_VERSION, CRD_GROUP, CRD_KIND, CRD_PLURAL, CRD_VERSION } from '@peerloan/contracts';

export interface DriftReport {
  readonly drifted: boolean;
  readonly modelVersion: string;
  /** Features (and `score`) over the threshold. */
  readonly features: readonly string[];
  readonly psi: Readonly<Record<string, number>>;
  readonly threshold: number;
  readonly windowEvents: number;
  readonly windowStart: string;
  readonly windowEnd: string;
}

export interface DriftNotifier {
  notify(report: DriftReport): Promise<void>;
}

export function describe(report: DriftReport): string {
  if (!report.drifted) return `inputs back within PSI ${report.threshold} over ${report.windowEvents} predictions`;
  const worst = report.features.map((f) => `${f}=${report.psi[f].toFixed(3)}`).join(', ');
  return `PSI above ${report.threshold} for ${worst} over ${report.windowEvents} predictions (${report.windowStart} to ${report.windowEnd})`;
}

export class LogDriftNotifier implements DriftNotifier {
  constructor(private readonly logger: Logger, private readonly webhookUrl?: string) {}

  async notify(report: DriftReport): Promise<void> {
    this.logger.warn({ ...report, message: describe(report) }, report.drifted ? 'drift detected' : 'drift cleared');
    if (!this.webhookUrl) return;
    try {
      await fetch(this.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...report, message: describe(report) }), signal: AbortSignal.timeout(5000) });
    } catch (err) {
      this.logger.error({ err: (err as Error).message, url: this.webhookUrl }, 'drift webhook failed');
    }
  }
}

interface ConditionLike {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** Sets the Drifted condition on a LoanRiskModel and records an Event, as the operator's conditions do. */
export class KubernetesDriftNotifier implements DriftNotifier {
  private readonly objects: k8s.CustomObjectsApi;
  private readonly core: k8s.CoreV1Api;

  constructor(kubeConfig: k8s.KubeConfig, private readonly namespace: string, private readonly name: string, private readonly logger: Logger) {
    this.objects = kubeConfig.makeApiClient(k8s.CustomObjectsApi);
    this.core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  }

  async notify(report: DriftReport): Promise<void> {
    const target = { group: CRD_GROUP, version: CRD_VERSION, namespace: this.namespace, plural: CRD_PLURAL, name: this.name };
    // Optimistic concurrency: replace the status with the resourceVersion read; retry on conflict.
    for (let attempt = 0; attempt < 5; attempt++) {
      const lrm = (await this.objects.getNamespacedCustomObjectStatus(target)) as { metadata: k8s.V1ObjectMeta; status?: { conditions?: ConditionLike[] } };
      const conditions = lrm.status?.conditions ?? [];
      const previous = conditions.find((c) => c.type === 'Drifted');
      const status = report.drifted ? 'True' : 'False';
      const condition: ConditionLike = {
        type: 'Drifted',
        status,
        reason: report.drifted ? 'InputDrift' : 'WithinThreshold',
        message: describe(report),
        lastTransitionTime: previous?.status === status ? previous.lastTransitionTime : new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        observedGeneration: lrm.metadata.generation,
      };
      const body = { ...lrm, status: { ...lrm.status, conditions: [...conditions.filter((c) => c.type !== 'Drifted'), condition] } };
      try {
        await this.objects.replaceNamespacedCustomObjectStatus({ ...target, body });
        await this.event(lrm.metadata, report);
        return;
      } catch (err) {
        if ((err as { code?: number }).code !== 409) throw err;
      }
    }
    this.logger.error({ name: this.name, namespace: this.namespace }, 'drift condition not written after repeated conflicts');
  }

  private async event(meta: k8s.V1ObjectMeta, report: DriftReport): Promise<void> {
    const now = new Date();
    await this.core.createNamespacedEvent({
      namespace: this.namespace,
      body: {
        metadata: { generateName: `${this.name}.drift-`, namespace: this.namespace },
        involvedObject: { apiVersion: CRD_API_VERSION, kind: CRD_KIND, name: this.name, namespace: this.namespace, uid: meta.uid },
        reason: report.drifted ? 'DriftDetected' : 'DriftCleared',
        message: describe(report),
        type: report.drifted ? 'Warning' : 'Normal',
        source: { component: 'loanrisk-drift-worker' },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  }
}
