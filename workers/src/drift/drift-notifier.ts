/**
 * Tells the world a model drifted or recovered. In a cluster: the LoanRiskModel's `Drifted`
 * condition (metav1.Condition) and an Event; outside one: a log line and, when configured, a
 * JSON POST to a webhook.
 */
import * as k8s from '@kubernetes/client-node';
import type { Logger } from 'pino';
import {
  CRD_GROUP,
  CRD_PLURAL,
  CRD_VERSION,
  isTransition,
  modelEventBody,
  setCondition,
  withCondition,
  type ConditionInput,
  type LoanRiskModel,
} from '@peerloan/contracts';

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
  constructor(
    private readonly logger: Logger,
    private readonly webhookUrl?: string,
  ) {}

  async notify(report: DriftReport): Promise<void> {
    this.logger.warn({ ...report, message: describe(report) }, report.drifted ? 'drift detected' : 'drift cleared');
    if (!this.webhookUrl) return;
    try {
      await fetch(this.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...report, message: describe(report) }),
        signal: AbortSignal.timeout(5000),
      });
    } catch (err) {
      this.logger.error({ err: (err as Error).message, url: this.webhookUrl }, 'drift webhook failed');
    }
  }
}

/** Who the drift worker's Events say reported them. */
const EVENT_SOURCE = { component: 'loanrisk-drift-worker', instance: process.env.POD_NAME };

/**
 * Sets the Drifted condition on a LoanRiskModel and, when its status or reason changed, records an
 * Event: the condition bookkeeping and Event shape are the operator's (contracts/src/conditions.ts).
 */
export class KubernetesDriftNotifier implements DriftNotifier {
  private readonly objects: k8s.CustomObjectsApi;
  private readonly core: k8s.CoreV1Api;

  constructor(
    kubeConfig: k8s.KubeConfig,
    private readonly namespace: string,
    private readonly name: string,
    private readonly logger: Logger,
  ) {
    this.objects = kubeConfig.makeApiClient(k8s.CustomObjectsApi);
    this.core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  }

  async notify(report: DriftReport): Promise<void> {
    const target = {
      group: CRD_GROUP,
      version: CRD_VERSION,
      namespace: this.namespace,
      plural: CRD_PLURAL,
      name: this.name,
    };
    // Optimistic concurrency: replace the status with the resourceVersion read; retry on conflict.
    for (let attempt = 0; attempt < 5; attempt++) {
      const lrm = (await this.objects.getNamespacedCustomObjectStatus(target)) as LoanRiskModel;
      const conditions = lrm.status?.conditions ?? [];
      const input: ConditionInput = {
        type: 'Drifted',
        status: report.drifted ? 'True' : 'False',
        reason: report.drifted ? 'InputDrift' : 'WithinThreshold',
        message: describe(report),
      };
      const condition = setCondition(conditions, input, lrm.metadata.generation, new Date());
      const body = { ...lrm, status: { ...lrm.status, conditions: withCondition(conditions, condition) } };
      try {
        await this.objects.replaceNamespacedCustomObjectStatus({ ...target, body });
      } catch (err) {
        if ((err as { code?: number }).code !== 409) throw err;
        continue;
      }
      if (
        isTransition(
          conditions.find((c) => c.type === 'Drifted'),
          condition,
        )
      )
        await this.event(lrm, report);
      return;
    }
    this.logger.error(
      { name: this.name, namespace: this.namespace },
      'drift condition not written after repeated conflicts',
    );
  }

  private async event(model: LoanRiskModel, report: DriftReport): Promise<void> {
    const event = {
      type: report.drifted ? 'Warning' : 'Normal',
      reason: report.drifted ? 'DriftDetected' : 'DriftCleared',
      message: describe(report),
    } as const;
    await this.core.createNamespacedEvent({
      namespace: this.namespace,
      body: modelEventBody(model, event, EVENT_SOURCE, new Date()),
    });
  }
}
