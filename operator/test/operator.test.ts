/**
 * The running operator against a real kube-apiserver: the real entrypoint as a child process
 * (watches, queue, /healthz /readyz /metrics), a restart mid-training, WATCH_NAMESPACE, a shadow
 * rollout carried to promotion by requeues alone, and two instances competing for the leader Lease.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AppsV1Api, BatchV1Api, CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { METRIC_PREFIX, MODEL_VERSION_ANNOTATION } from '@peerloan/contracts';
import { configFromEnv } from '../src/config.js';
import { Operator } from '../src/operator.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import {
  createModel,
  createNamespace,
  finishTraining,
  getModel,
  installCrd,
  makeDeploymentAvailable,
  modelObject,
  patchModelSpec,
  REPO_ROOT,
  sampleSpec,
  summary,
  waitFor,
} from './fixtures.js';
import { FakeApiPod, rollPods } from './rollout-pods.js';
import { required } from './required.js';

const NS = 'ops';
let cp: ControlPlane;
let kc: KubeConfig;

const silent = pino({ level: 'silent' });

/** The operator's own entrypoint; `viaNpm` runs it exactly as the contract says: npm run start -w operator. */
function startEntrypoint(env: Record<string, string>, viaNpm = false): { child: ChildProcess; output: () => string } {
  let output = '';
  const [command, args] = viaNpm
    ? ['npm', ['run', '--silent', 'start', '-w', 'operator']]
    : [process.execPath, [join(REPO_ROOT, 'operator/dist/src/main.js')]];
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, KUBECONFIG: cp.kubeconfigPath, LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a stop reaches the operator under npm too.
    detached: true,
  });
  child.stdout.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    output += c.toString();
  });
  return { child, output: () => output };
}

/** SIGTERM to the whole group; resolves with the exit code once every process of it has closed its output. */
async function stopChild(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const closed = new Promise<number | null>((r) =>
    child.once('close', (code) => {
      r(code);
    }),
  );
  process.kill(-required(child.pid, 'child.pid'), 'SIGTERM');
  return await closed;
}

/**
 * The metric families of a /metrics page that break the naming rule (docs/ARCHITECTURE.md,
 * "Names"): not `loanrisk_` and not one of prom-client's default metrics, which keep their
 * standard names so that stock Node.js dashboards read them.
 */
function namesOffRule(metrics: string): string[] {
  const defaults = new Registry();
  collectDefaultMetrics({ register: defaults });
  const standard = new Set(defaults.getMetricsAsArray().map((m) => m.name));
  return metrics
    .split('\n')
    .filter((line) => line.startsWith('# TYPE '))
    .map((line) => line.split(' ')[2] ?? '')
    .filter((name) => !name.startsWith(METRIC_PREFIX) && !standard.has(name));
}

async function metricsPort(output: () => string): Promise<number> {
  return await waitFor('operator started', () => {
    const line = output()
      .split('\n')
      .find((l) => l.includes('"operator started"'));
    return line ? (JSON.parse(line) as { port: number }).port : undefined;
  });
}

const jobsOf = async (ns: string, name: string) =>
  (
    await kc
      .makeApiClient(BatchV1Api)
      .listNamespacedJob({ namespace: ns, labelSelector: `risk.peerloan.io/model=${name}` })
  ).items;

describe('the operator process', () => {
  before(async () => {
    cp = await startControlPlane();
    kc = cp.kubeConfig();
    await installCrd(kc);
    await createNamespace(kc, NS);
    await createNamespace(kc, 'elsewhere');
  });
  after(async () => {
    await cp.stop();
  });

  test('npm run start -w operator: trains, gates and rolls out through its watches; serves health and metrics', async () => {
    const run = startEntrypoint({ METRICS_PORT: '0', LEASE_NAMESPACE: NS }, true);
    try {
      const port = await metricsPort(run.output);
      await createModel(kc, modelObject(NS, 'live', sampleSpec()));
      const [job] = await waitFor('training job', async () => {
        const j = await jobsOf(NS, 'live');
        return j.length ? j : undefined;
      });
      await finishTraining(
        kc,
        NS,
        required(job.metadata?.name, 'job.metadata.name'),
        JSON.stringify(summary('v1liveliveli', 0.8)),
      );
      const model = await waitFor('live version', async () => {
        const m = await getModel(kc, NS, 'live');
        return m.status?.liveVersion ? m : undefined;
      });
      assert.equal(model.status?.phase, 'RollingOut');
      await makeDeploymentAvailable(kc, NS, 'live-api');
      await waitFor('Ready', async () => (await getModel(kc, NS, 'live')).status?.phase === 'Ready');

      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(metrics, /loanrisk_operator_reconcile_total\{result="success"\} [1-9]/);
      assert.match(metrics, /loanrisk_operator_reconcile_duration_seconds_count [1-9]/);
      assert.match(metrics, /loanrisk_operator_workqueue_depth \d/);
      assert.match(metrics, /loanrisk_operator_leader 1/);
      assert.match(
        metrics,
        /loanrisk_model_condition\{model_namespace="ops",model="live",type="Ready",status="True",reason="DeploymentAvailable"\} 1/,
      );
      assert.match(
        metrics,
        /loanrisk_model_condition\{model_namespace="ops",model="live",type="Trained",status="True",reason="TrainingSucceeded"\} 1/,
      );
      assert.match(metrics, /^process_cpu_seconds_total /m);
      assert.deepEqual(namesOffRule(metrics), []);
    } finally {
      await stopChild(run.child);
      assert.match(run.output(), /"shutting down"/);
    }
  });

  test('a restart mid-training makes no second Job and picks up where it left off', async () => {
    let run = startEntrypoint({ METRICS_PORT: '0', LEASE_NAMESPACE: NS });
    await metricsPort(run.output);
    await createModel(kc, modelObject(NS, 'restart', sampleSpec()));
    const [job] = await waitFor('training job', async () => {
      const j = await jobsOf(NS, 'restart');
      return j.length ? j : undefined;
    });
    await waitFor('Training phase', async () => (await getModel(kc, NS, 'restart')).status?.phase === 'Training');
    assert.equal(await stopChild(run.child), 0);

    run = startEntrypoint({ METRICS_PORT: '0', LEASE_NAMESPACE: NS });
    try {
      await metricsPort(run.output);
      await waitFor('leader after restart', () => run.output().includes('"became leader"'));
      // The first pass after a restart lists the Job it made before and must not make another.
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal((await jobsOf(NS, 'restart')).length, 1);
      await finishTraining(
        kc,
        NS,
        required(job.metadata?.name, 'job.metadata.name'),
        JSON.stringify(summary('v1restartabc', 0.9)),
      );
      await waitFor(
        'live version after restart',
        async () => (await getModel(kc, NS, 'restart')).status?.liveVersion === 'v1restartabc',
      );
      assert.equal((await jobsOf(NS, 'restart')).length, 1);
      const dep = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: NS, name: 'restart-api' });
      assert.equal(
        required(dep.spec?.template.metadata?.annotations, 'dep.spec.template.metadata.annotations')[
          MODEL_VERSION_ANNOTATION
        ],
        'v1restartabc',
      );
    } finally {
      await stopChild(run.child);
    }
  });

  test('WATCH_NAMESPACE limits the operator to one namespace', async () => {
    const op = new Operator(
      kc,
      { ...configFromEnv({}), watchNamespace: NS, leaderElection: false, metricsPort: 0 },
      silent,
    );
    await op.start();
    try {
      await createModel(kc, modelObject('elsewhere', 'ignored', sampleSpec()));
      await createModel(kc, modelObject(NS, 'watched', sampleSpec()));
      await waitFor('job in the watched namespace', async () => (await jobsOf(NS, 'watched')).length === 1);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal((await jobsOf('elsewhere', 'ignored')).length, 0);
    } finally {
      await op.stop();
    }
  });

  test('a shadow rollout runs to promotion on its own: requeued while its pods come up and while it bakes', async () => {
    const op = new Operator(
      kc,
      { ...configFromEnv({}), watchNamespace: NS, leaderElection: false, metricsPort: 0 },
      silent,
    );
    await op.start();
    let pods: FakeApiPod[] = [];
    try {
      await createModel(
        kc,
        modelObject(
          NS,
          'shadowed',
          sampleSpec({ rollout: { strategy: 'shadow', bakeSeconds: 1, checks: { minSamples: 10 } } }),
        ),
      );
      const finish = async (version: string) => {
        const job = await waitFor('training job', async () => (await getModel(kc, NS, 'shadowed')).status?.trainingJob);
        await finishTraining(kc, NS, job, JSON.stringify(summary(version, 0.8)));
      };
      await finish('v1shadowed01');
      await waitFor(
        'first version live',
        async () => (await getModel(kc, NS, 'shadowed')).status?.liveVersion === 'v1shadowed01',
      );
      await makeDeploymentAvailable(kc, NS, 'shadowed-api');
      const { training } = (await getModel(kc, NS, 'shadowed')).spec;
      await patchModelSpec(kc, NS, 'shadowed', { training: { ...training, seed: 2 } });
      await waitFor('a second run', async () => (await getModel(kc, NS, 'shadowed')).status?.phase === 'Training');
      await finish('v2shadowed02');
      await waitFor(
        'shadow',
        async () => (await getModel(kc, NS, 'shadowed')).status?.candidateVersion === 'v2shadowed02',
      );
      pods = await rollPods(kc, NS, 'shadowed-api', 1, []);
      await waitFor(
        'bake started',
        async () => (await getModel(kc, NS, 'shadowed')).status?.rollout?.bakeStartTime,
        10_000,
      );
      pods[0].count({ rows: 40 }, { rows: 40, agreements: 40 });
      const model = await waitFor(
        'promoted',
        async () => {
          const m = await getModel(kc, NS, 'shadowed');
          return m.status?.liveVersion === 'v2shadowed02' ? m : undefined;
        },
        15_000,
      );
      assert.deepEqual(
        [model.status?.previousVersion, model.status?.candidateVersion, model.status?.rollout?.phase],
        ['v1shadowed01', undefined, 'Promoted'],
      );
      const dep = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: NS, name: 'shadowed-api' });
      assert.equal(
        required(dep.spec?.template.metadata?.annotations, 'dep.spec.template.metadata.annotations')[
          MODEL_VERSION_ANNOTATION
        ],
        'v2shadowed02',
      );
      assert.ok(!dep.spec?.template.spec?.containers[0].env?.some((e) => e.name === 'CANDIDATE_VERSION'));
    } finally {
      await Promise.all(pods.map((p) => p.stop()));
      await op.stop();
    }
  });

  test('two instances: one leader; the other takes over when it stops', async () => {
    const config = {
      ...configFromEnv({}),
      metricsPort: 0,
      leaseNamespace: NS,
      leaseName: 'pair',
      leaseDurationSeconds: 4,
      retryPeriodMs: 200,
    };
    const a = new Operator(kc, { ...config, identity: 'a' }, silent);
    const b = new Operator(kc, { ...config, identity: 'b' }, silent);
    await a.start();
    await b.start();
    try {
      await waitFor('a leader', () => a.isLeader || b.isLeader);
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal([a, b].filter((o) => o.isLeader).length, 1);
      const [leader, standby] = a.isLeader ? [a, b] : [b, a];
      const lease = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: NS, name: 'pair' });
      assert.equal(lease.spec?.holderIdentity, leader === a ? 'a' : 'b');

      // Only the leader acts: the standby has reconciled nothing.
      await createModel(kc, modelObject(NS, 'led', sampleSpec()));
      await waitFor('job from the leader', async () => (await jobsOf(NS, 'led')).length === 1);
      const standbyMetrics = await standby.metrics.registry.getSingleMetricAsString(
        'loanrisk_operator_reconcile_total',
      );
      assert.doesNotMatch(standbyMetrics, /result="success"\} [1-9]/);

      await leader.stop();
      await waitFor('standby takes over', () => standby.isLeader, 10_000);
      const after = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: NS, name: 'pair' });
      assert.equal(after.spec?.holderIdentity, standby === a ? 'a' : 'b');
      assert.ok((after.spec.leaseTransitions ?? 0) >= 1);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
