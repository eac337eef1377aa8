/**
 * The operator's view of the API server: the calls the reconciler makes, each one request.
 * Children are applied with server-side apply under one field manager.
 */
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  NetworkingV1Api,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
  type V1Deployment,
  type V1Job,
  type V1Pod,
  type CoreV1Event,
} from '@kubernetes/client-node';
import {
  APPROVAL_PLURAL,
  CRD_GROUP,
  CRD_PLURAL,
  CRD_VERSION,
  modelEventBody,
  type LoanRiskModel,
  type LoanRiskModelApproval,
  type ModelEvent,
} from '@peerloan/contracts';
import { FIELD_MANAGER, JOB_NAME_LABEL, MODEL_LABEL, selectorLabels, shortName } from './labels.js';
import { nameOf, namespaceOf } from './object-identity.js';

/** The HTTP status of a failed API call (client-node's ApiException carries it as `code`). */
function statusCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
}
export function isNotFound(err: unknown): boolean {
  return statusCode(err) === 404;
}
export function isConflict(err: unknown): boolean {
  return statusCode(err) === 409;
}

export class KubeClient {
  private readonly custom: CustomObjectsApi;
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly networking: NetworkingV1Api;
  private readonly objects: KubernetesObjectApi;

  constructor(kc: KubeConfig) {
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.batch = kc.makeApiClient(BatchV1Api);
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.networking = kc.makeApiClient(NetworkingV1Api);
    this.objects = KubernetesObjectApi.makeApiClient(kc);
  }

  async getModel(namespace: string, name: string): Promise<LoanRiskModel | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({
        group: CRD_GROUP,
        version: CRD_VERSION,
        plural: CRD_PLURAL,
        namespace,
        name,
      })) as LoanRiskModel;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Replaces the status subresource at the resourceVersion read: a concurrent change gives 409 and a requeue. */
  async replaceModelStatus(model: LoanRiskModel): Promise<LoanRiskModel> {
    return (await this.custom.replaceNamespacedCustomObjectStatus({
      group: CRD_GROUP,
      version: CRD_VERSION,
      plural: CRD_PLURAL,
      namespace: namespaceOf(model),
      name: nameOf(model),
      body: model,
    })) as LoanRiskModel;
  }

  /** The model's namespace's LoanRiskModelApprovals; none when their CRD is not installed. */
  async listApprovals(model: LoanRiskModel): Promise<LoanRiskModelApproval[]> {
    try {
      const list = (await this.custom.listNamespacedCustomObject({
        group: CRD_GROUP,
        version: CRD_VERSION,
        plural: APPROVAL_PLURAL,
        namespace: namespaceOf(model),
      })) as { items: LoanRiskModelApproval[] };
      return list.items;
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  }

  async listModelJobs(model: LoanRiskModel): Promise<V1Job[]> {
    const list = await this.batch.listNamespacedJob({
      namespace: namespaceOf(model),
      labelSelector: `${MODEL_LABEL}=${shortName(nameOf(model), 63)}`,
    });
    return list.items;
  }

  async createJob(job: V1Job): Promise<V1Job> {
    return await this.batch.createNamespacedJob({ namespace: namespaceOf(job), body: job });
  }

  async listJobPods(namespace: string, job: string): Promise<V1Pod[]> {
    return (await this.core.listNamespacedPod({ namespace, labelSelector: `${JOB_NAME_LABEL}=${job}` })).items;
  }

  /** Warning Events about pods in the namespace (FailedMount, FailedAttachVolume: the kubelet reports them only so). */
  async listPodWarnings(namespace: string): Promise<CoreV1Event[]> {
    return (await this.core.listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.kind=Pod,type=Warning' }))
      .items;
  }

  /** The model's API pods (the Deployment's selector). */
  async listServingPods(model: LoanRiskModel): Promise<V1Pod[]> {
    const selector = Object.entries(selectorLabels(model))
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    return (await this.core.listNamespacedPod({ namespace: namespaceOf(model), labelSelector: selector })).items;
  }

  async getDeployment(namespace: string, name: string): Promise<V1Deployment | undefined> {
    try {
      return await this.apps.readNamespacedDeployment({ namespace, name });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async apply<T extends KubernetesObject>(obj: T): Promise<T> {
    return await this.objects.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  }

  async deleteIngressIfPresent(namespace: string, name: string): Promise<boolean> {
    try {
      await this.networking.deleteNamespacedIngress({ namespace, name });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async recordEvent(model: LoanRiskModel, type: ModelEvent['type'], reason: string, message: string): Promise<void> {
    const body = modelEventBody(
      model,
      { type, reason, message },
      { component: FIELD_MANAGER, instance: process.env.POD_NAME },
      new Date(),
    );
    await this.core.createNamespacedEvent({ namespace: namespaceOf(model), body });
  }
}
