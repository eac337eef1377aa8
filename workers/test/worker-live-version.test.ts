/**
 * In a cluster the worker serves the version its LoanRiskModel's status names (a pin the operator
 * accepted, else the live version), never the models root's `current` (which the trainer moves
 * for candidates the quality gate then rejects) and never a pin the operator refused. It publishes
 * the status' history and a candidate awaiting approval for the model view, and puts each
 * reviewer's decision into the decision audit trail once, however often it is seen. Real
 * kube-apiserver + etcd (the operator tests' control plane), real Redis, the real API and worker
 * processes, models trained by the trainer CLI; the worker runs with the ServiceAccount and Role
 * the chart renders for it, so a permission it lacks fails here.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { after, before, describe, test } from 'node:test';
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  RbacAuthorizationV1Api,
  loadAllYaml,
  setHeaderOptions,
  type KubeConfig,
  type V1RoleBinding,
} from '@kubernetes/client-node';
import {
  CRD_GROUP,
  CRD_PLURAL,
  CRD_VERSION,
  FEATURE_NAMES,
  type ApprovalRecord,
  type HistoryEntry,
  type LoanRiskModelSpec,
  type LoanRiskModelStatus,
} from '@peerloan/contracts';
import { startControlPlane, toolsBin, type ControlPlane } from '@peerloan/operator/dist/test/control-plane.js';
import {
  createModel,
  createNamespace,
  installCrd,
  modelObject,
  REPO_ROOT,
  sampleSpec,
} from '@peerloan/operator/dist/test/fixtures.js';
import { required } from '@peerloan/operator/dist/test/required.js';
import { call, eventually, metricValue } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { ApiProcess } from '@peerloan/scoring/dist/test/helpers/api-process.js';
import { RedisServer } from '@peerloan/scoring/dist/test/helpers/redis-server.js';
import {
  AUDIT_STREAM,
  streamEntryRecords,
  MODEL_HISTORY_KEY,
  type ApprovalAuditRecord,
  type AuditRecord,
  type PublishedHistory,
} from '@peerloan/scoring/queues';
import { Redis } from 'ioredis';
import { applicants, currentVersion, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';
import { WorkerProcess } from '@peerloan/scoring/dist/test/helpers/worker-process.js';
import { freePort } from '@peerloan/scoring/dist/test/helpers/free-port.js';

interface BatchStatus {
  readonly state: string;
  readonly counts: { readonly scored: number };
  readonly modelVersions: string[];
}

const NS = 'risk';
const NAME = 'portfolio';
const POLL_MS = 200;
const AUDIT_CLI = fileURLToPath(new URL('../src/audit-cli.js', import.meta.url));

/** Now as the API server writes times: whole seconds. */
const nowSeconds = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** The approval records in the audit stream (those the archiver has not moved to the data volume yet). */
async function streamedApprovals(client: Redis): Promise<ApprovalAuditRecord[]> {
  const entries = (await client.xrange(AUDIT_STREAM, '-', '+')) as [string, string[]][];
  return entries
    .flatMap(([, fields]) => streamEntryRecords(fields))
    .filter((r): r is ApprovalAuditRecord => r.kind === 'approval');
}

/** The export CLI over every day of an archive: its stdout. */
async function exportArchive(dir: string, format: 'csv' | 'jsonl'): Promise<string> {
  const args = [AUDIT_CLI, 'export', '--dir', dir, '--from', '2000-01-01', '--to', '2100-01-01', '--format', format];
  return (await promisify(execFile)(process.execPath, args)).stdout;
}

/** The worker's ServiceAccount, Role and RoleBinding exactly as the chart renders them into NS. */
async function installChartWorkerRbac(admin: KubeConfig): Promise<string> {
  const rendered = execFileSync(
    join(toolsBin(), 'helm'),
    [
      'template',
      'loan-risk',
      join(REPO_ROOT, 'charts/loan-risk'),
      '-n',
      NS,
      '--show-only',
      'templates/serviceaccount.yaml',
      '--show-only',
      'templates/worker-role.yaml',
      '--show-only',
      'templates/worker-rolebinding.yaml',
    ],
    { encoding: 'utf8' },
  );
  const objects = (loadAllYaml(rendered) as Array<{ kind: string; metadata: { name: string } }>).filter(
    (o) => o.metadata.name === 'loan-risk-worker',
  );
  assert.deepEqual(objects.map((o) => o.kind).sort(), ['Role', 'RoleBinding', 'ServiceAccount']);
  const core = admin.makeApiClient(CoreV1Api);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  for (const obj of objects) {
    if (obj.kind === 'ServiceAccount') await core.createNamespacedServiceAccount({ namespace: NS, body: obj });
    if (obj.kind === 'Role') await rbac.createNamespacedRole({ namespace: NS, body: obj });
    if (obj.kind === 'RoleBinding')
      await rbac.createNamespacedRoleBinding({ namespace: NS, body: obj as V1RoleBinding });
  }
  const token = await core.createNamespacedServiceAccountToken({
    namespace: NS,
    name: 'loan-risk-worker',
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  return required(token.status, 'the TokenRequest status').token;
}

async function writeKubeconfig(dir: string, server: string, token: string): Promise<string> {
  const path = join(dir, 'worker-kubeconfig');
  await writeFile(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'worker', user: { token } }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: 'worker', namespace: NS } }],
      'current-context': 'test',
    }),
  );
  return path;
}

describe("the worker serves its LoanRiskModel's live version", () => {
  let plane: ControlPlane;
  let admin: KubeConfig;
  let redis: RedisServer;
  let api: ApiProcess;
  let worker: WorkerProcess;
  let root: string;
  let kubeconfig: string;
  let workerUrl: string;
  let versionA: string;
  let versionB: string;

  const target = { group: CRD_GROUP, version: CRD_VERSION, plural: CRD_PLURAL, namespace: NS, name: NAME };
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  /** Plays the operator: its quality gate's decision, written to the status. */
  const setStatus = (status: LoanRiskModelStatus | Record<string, unknown>) =>
    admin
      .makeApiClient(CustomObjectsApi)
      .patchNamespacedCustomObjectStatus({ ...target, body: { status } }, mergePatch);
  const setSpec = (spec: Partial<LoanRiskModelSpec> | Record<string, null>) =>
    admin.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject({ ...target, body: { spec } }, mergePatch);

  const pinCondition = (status: 'True' | 'False', reason: string) => ({
    type: 'Pinned',
    status,
    reason,
    message: reason,
    lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  });

  const readyz = async () => call(`${workerUrl}/readyz`);
  /** Model versions the worker took into service so far. */
  const swapCount = async () => metricValue(workerUrl, 'loanrisk_model_swaps_total');
  const serving = async () => ((await readyz()).body as { modelVersion?: string }).modelVersion;

  /** A batch's status as GET /batches/:id answers it (the fields these tests read). */
  async function batchStatus(id: string): Promise<BatchStatus> {
    return (await call(`${api.url}/batches/${id}`)).body as BatchStatus;
  }

  /** A small portfolio through POST /batches; the versions the worker scored it with. */
  async function scoredBy(): Promise<string[]> {
    const people = applicants(20, 5);
    const csv = [FEATURE_NAMES.join(','), ...people.map((p) => FEATURE_NAMES.map((f) => p[f] ?? '').join(','))].join(
      '\n',
    );
    const submitted = await call(`${api.url}/batches`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: `${csv}\n`,
    });
    assert.equal(submitted.status, 202);
    const { id } = submitted.body as { id: string };
    let status: BatchStatus | undefined;
    await eventually(
      `batch ${id} completed`,
      async () => {
        status = await batchStatus(id);
        return status.state === 'completed';
      },
      1500,
    );
    const done = required(status, `batch ${id}'s status`);
    assert.equal(done.counts.scored, 20);
    return done.modelVersions;
  }

  before(async () => {
    [plane, redis, root] = await Promise.all([startControlPlane(), RedisServer.start(), tempDir('api-live-version')]);
    admin = plane.kubeConfig();
    await installCrd(admin);
    await createNamespace(admin, NS);
    await createModel(admin, modelObject(NS, NAME, sampleSpec()));
    kubeconfig = await writeKubeconfig(root, plane.server, await installChartWorkerRbac(admin));
    versionA = await trainModel(join(root, 'models'), 71);
    // What the operator's Deployment gives the API: one version folder. The API only takes uploads here.
    api = await ApiProcess.start({
      MODEL_DIR: join(root, 'models', versionA),
      REDIS_URL: redis.url,
      PREDICTION_LOG_SAMPLE: '0',
    });
    const port = await freePort();
    workerUrl = `http://127.0.0.1:${port}`;
    // The chart's environment: the models root, the LoanRiskModel's name, the Pod's namespace.
    worker = WorkerProcess.start({
      KUBECONFIG: kubeconfig,
      MODEL_DIR: join(root, 'models'),
      LRM_NAME: NAME,
      POD_NAMESPACE: NS,
      REDIS_URL: redis.url,
      WORKER_ROLES: 'batch',
      METRICS_PORT: String(port),
      MODEL_POLL_MS: String(POLL_MS),
      MODEL_RETRY_MS: '500',
    });
  });
  after(async () => {
    const code = await worker.stop();
    await api.stop();
    await Promise.all([redis.stop(), plane.stop()]);
    assert.equal(code, 0, `worker exits 0 on SIGTERM: ${worker.output}`);
  });

  test('no live version yet: not ready, says it waits, takes no job, though `current` names a model', async () => {
    assert.equal(await currentVersion(join(root, 'models')), versionA);
    await eventually('worker answers /readyz', async () => (await readyz().catch(() => undefined))?.status === 503);
    await eventually('the waiting line', () => worker.logs.some((l) => l.msg === 'no version to serve yet, waiting'));
    const line = required(
      worker.logs.find((l) => l.msg === 'no version to serve yet, waiting'),
      'the waiting line',
    );
    assert.match(String(line.source), new RegExp(`LoanRiskModel ${NS}/${NAME}`));
    assert.deepEqual((await readyz()).body, { status: 'waiting', reason: 'no model version to serve yet' });
  });

  test('LRM_REQUIRED (the chart) without a LoanRiskModel named: waits, not ready, rather than follow `current`', async () => {
    const port = await freePort();
    const unnamed = WorkerProcess.start({
      MODEL_DIR: join(root, 'models'),
      LRM_REQUIRED: 'true',
      REDIS_URL: redis.url,
      WORKER_ROLES: 'batch',
      METRICS_PORT: String(port),
      MODEL_POLL_MS: String(POLL_MS),
    });
    try {
      await eventually('the waiting line', () =>
        unnamed.logs.some((l) => l.msg === 'no version to serve yet, waiting' && /set LRM_NAME/.test(String(l.source))),
      );
      await new Promise((r) => setTimeout(r, 3 * POLL_MS));
      assert.equal((await call(`http://127.0.0.1:${port}/readyz`)).status, 503);
    } finally {
      assert.equal(await unnamed.stop(), 0, unnamed.output);
    }
  });

  test('status.liveVersion A: the worker scores with A (and a batch queued while it waited completes)', async () => {
    const people = applicants(10, 6);
    const csv = [FEATURE_NAMES.join(','), ...people.map((p) => FEATURE_NAMES.map((f) => p[f] ?? '').join(','))].join(
      '\n',
    );
    const queued = await call(`${api.url}/batches`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: `${csv}\n`,
    });
    const queuedId = (queued.body as { id: string }).id;
    await new Promise((r) => setTimeout(r, 5 * POLL_MS));
    assert.equal((await batchStatus(queuedId)).state, 'queued', 'no job is taken without a model');

    await setStatus({ liveVersion: versionA });
    await eventually('worker serves A', async () => (await serving()) === versionA, 500);
    assert.deepEqual(await scoredBy(), [versionA]);
    await eventually(
      'the queued batch completed with A',
      async () => {
        const status = await batchStatus(queuedId);
        return status.state === 'completed' && status.modelVersions.join() === versionA;
      },
      500,
    );
  });

  test('a gate-rejected B becomes `current`: the worker stays on A', async () => {
    versionB = await trainModel(join(root, 'models'), 72);
    assert.notEqual(versionB, versionA);
    assert.equal(await currentVersion(join(root, 'models')), versionB, 'the trainer moved `current` to B');
    await new Promise((r) => setTimeout(r, 5 * POLL_MS));
    assert.equal(await serving(), versionA);
    assert.deepEqual(await scoredBy(), [versionA]);
  });

  test('status.liveVersion moves to B: the worker moves to B', async () => {
    await setStatus({ liveVersion: versionB });
    await eventually('worker serves B', async () => (await serving()) === versionB, 500);
    assert.deepEqual(await scoredBy(), [versionB]);
  });

  test('a live version whose folder is not on the volume yet is refused, B keeps serving, and it is loaded once it appears', async () => {
    const staging = join(root, 'staging');
    await mkdir(staging);
    const versionC = await trainModel(staging, 73);
    await setStatus({ liveVersion: versionC });
    await eventually(
      'C refused',
      () =>
        worker.logs.some(
          (l) => l.msg === 'model refused' && String((l.err as { message?: string }).message).includes(versionC),
        ),
      500,
    );
    assert.equal(await serving(), versionB);
    await rename(join(staging, versionC), join(root, 'models', versionC));
    await eventually('worker serves C once the folder is there', async () => (await serving()) === versionC, 500);
    assert.deepEqual(await scoredBy(), [versionC]);
  });
  test('a refused pin (spec.pinnedVersion A, status without it) moves nothing: the worker follows status.liveVersion to B', async () => {
    const swaps = await swapCount();
    // The operator refuses the pin: a condition, nothing else in the status changes.
    await setSpec({ pinnedVersion: versionA });
    await setStatus({ conditions: [pinCondition('False', 'PinRefused')] });
    // Later the live version moves (a promotion); once the worker follows it, it has read the refused pin too.
    await setStatus({ liveVersion: versionB });
    await eventually('worker serves the live B', async () => (await serving()) === versionB, 500);
    assert.equal(await swapCount(), swaps + 1, 'one swap, C to B: never to the refused A');
    assert.deepEqual(await scoredBy(), [versionB]);
  });

  test('an accepted pin (status.pinnedVersion A) is served over the live B; unpinned, B again', async () => {
    await setStatus({ pinnedVersion: versionA, conditions: [pinCondition('True', 'PinnedVersionServed')] });
    await eventually('worker serves the pinned A', async () => (await serving()) === versionA, 500);
    assert.deepEqual(await scoredBy(), [versionA]);
    await setSpec({ pinnedVersion: null });
    await setStatus({ pinnedVersion: null, conditions: [pinCondition('False', 'NotPinned')] });
    await eventually('worker back on B', async () => (await serving()) === versionB, 500);
    assert.deepEqual(await scoredBy(), [versionB]);
  });

  test("the LoanRiskModel's version history with its gate verdicts reaches Redis for the API's model view", async () => {
    const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const entries = [
      { version: versionA, rocAuc: 0.71, outcome: 'Accepted', time },
      {
        version: versionB,
        rocAuc: 0.64,
        outcome: 'Rejected',
        time,
        reason: 'QualityGateRejected',
        message: 'AUC below 0.7',
      },
    ];
    await setStatus({ history: entries });
    const client = new Redis(redis.url);
    try {
      let published: PublishedHistory | undefined;
      await eventually(
        'history published',
        async () => {
          const text = await client.get(MODEL_HISTORY_KEY);
          published = text === null ? undefined : (JSON.parse(text) as PublishedHistory);
          return published?.entries.length === 2;
        },
        500,
      );
      assert.deepEqual(published, { model: { namespace: NS, name: NAME }, entries });
    } finally {
      client.disconnect();
    }
  });

  describe('spec.rollout.approval required', () => {
    const CANDIDATE = 'c0ffee51a7e4';
    let client: Redis;
    const published = async () => {
      const text = await client.get(MODEL_HISTORY_KEY);
      return text === null ? undefined : (JSON.parse(text) as PublishedHistory);
    };
    const gateRejected = (version: string): HistoryEntry => ({
      version,
      rocAuc: 0.61,
      outcome: 'Rejected',
      time: nowSeconds(),
      reason: 'QualityGateRejected',
      message: 'AUC below 0.7',
    });
    before(() => {
      client = new Redis(redis.url);
    });
    after(() => {
      client.disconnect();
    });

    test('a candidate awaiting approval is published with the history, for the model view to name', async () => {
      const since = nowSeconds();
      await setStatus({
        phase: 'AwaitingApproval',
        candidateVersion: CANDIDATE,
        candidate: { version: CANDIDATE, metrics: { rocAuc: 0.74 } },
        rollout: { version: CANDIDATE, strategy: 'immediate', phase: 'AwaitingApproval', stepStartTime: since },
      });
      let record: PublishedHistory | undefined;
      await eventually('the waiting candidate published', async () => {
        record = await published();
        return record?.awaitingApproval !== undefined;
      });
      assert.deepEqual(required(record, 'the published record').awaitingApproval, { version: CANDIDATE, since });
    });

    test("a reviewer's approval in status.history enters the audit trail once: neither a later watch event nor another worker adds one, and the archiver writes it", async () => {
      const time = nowSeconds();
      const approval: ApprovalRecord = {
        decision: 'approve',
        user: 'bob',
        time,
        object: `${NAME}-${CANDIDATE}`,
        note: 'the later period holds up',
        evidence: 'cross-validated ROC AUC 0.7400; out-of-time ROC AUC 0.7300 [0.7100, 0.7500] on 4000 rows',
      };
      const approved: HistoryEntry = {
        version: CANDIDATE,
        rocAuc: 0.74,
        outcome: 'Accepted',
        time,
        reason: 'Approved',
        message: `approved by bob at ${time}: ${approval.evidence}`,
        approval,
      };
      // The operator, approved: the candidate rolls out (immediate) and the decision joins the history.
      await setStatus({
        phase: 'RollingOut',
        candidateVersion: null,
        candidate: null,
        rollout: null,
        history: [approved, gateRejected(versionA)],
      });
      const expected: ApprovalAuditRecord = {
        ...approval,
        kind: 'approval',
        id: `approval:${NS}/${NAME}/${CANDIDATE}/approve`,
        namespace: NS,
        model: NAME,
        version: CANDIDATE,
      };
      await eventually('the approval in the audit stream', async () => (await streamedApprovals(client)).length > 0);
      assert.deepEqual(await streamedApprovals(client), [expected]);
      assert.equal(await client.ttl(`loanrisk:audit:seen:${expected.id}`), -1, 'its key is kept for good');
      await eventually('no candidate waits any more', async () => {
        const record = await published();
        return record?.awaitingApproval === undefined && record?.entries[0]?.approval !== undefined;
      });

      // A later watch event (another gate decision) with the approval still in the history.
      await setStatus({ history: [gateRejected(versionB), approved, gateRejected(versionA)] });
      await eventually('the later history published', async () => (await published())?.entries.length === 3);
      await new Promise((r) => setTimeout(r, 5 * POLL_MS));
      assert.equal((await streamedApprovals(client)).length, 1, 'the same approval is not appended again');

      // Another worker (a restart, or a second replica) finds it in the history; its archiver drains the stream.
      const auditDir = await tempDir('approval-archive');
      const second = WorkerProcess.start({
        KUBECONFIG: kubeconfig,
        MODEL_DIR: join(root, 'models'),
        LRM_NAME: NAME,
        POD_NAMESPACE: NS,
        REDIS_URL: redis.url,
        WORKER_ROLES: 'audit',
        METRICS_PORT: String(await freePort()),
        AUDIT_DIR: auditDir,
        AUDIT_ARCHIVE_INTERVAL_MS: '100',
        LOG_LEVEL: 'info',
      });
      try {
        await eventually('the other worker finds it already in the trail', () =>
          second.logs.some((l) => l.msg === 'approvals audited' && l.written === 0),
        );
        await eventually('the stream archived', async () => (await client.xlen(AUDIT_STREAM)) === 0);
        const archived = (await exportArchive(auditDir, 'jsonl'))
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as AuditRecord)
          .filter((r) => r.kind === 'approval');
        assert.deepEqual(archived, [expected], 'exactly one approval record in the archive');
        const rows = parse<Record<string, string>>(await exportArchive(auditDir, 'csv'), { columns: true });
        const row = required(
          rows.find((r) => r.kind === 'approval'),
          'the approval in the CSV export',
        );
        assert.deepEqual(
          [row.time, row.client, row.decision, row.modelVersion, row.model, row.evidence, row.note],
          [time, 'bob', 'approve', CANDIDATE, `${NS}/${NAME}`, approval.evidence, approval.note],
        );
      } finally {
        assert.equal(await second.stop(), 0, second.output);
      }
    });
  });
});
