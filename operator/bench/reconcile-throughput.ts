/**
 * Reconcile throughput and memory of the real operator process with N LoanRiskModels against
 * a real kube-apiserver + etcd (the test control plane). Prints one JSON object.
 *
 *   1. create N models with the operator running: time until every one has its Job and status
 *   2. operator stopped, every Job completed (test plays kubelet), operator started again:
 *      time until every model has passed the gate and has its 5 serving objects and status
 *   3. operator restarted with nothing to change: time until N no-op passes are done
 * Memory is the operator's own process_resident_memory_bytes / heap from its /metrics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { CRD_GROUP, CRD_PLURAL, CRD_VERSION, type LoanRiskModel } from '@peerloan/contracts';
import { startControlPlane, type ControlPlane } from '../test/control-plane.js';
import {
  createModel,
  createNamespace,
  finishTraining,
  installCrd,
  modelObject,
  REPO_ROOT,
  sampleSpec,
  summary,
  waitFor,
} from '../test/fixtures.js';

const N = Number(process.env.MODELS ?? 200);
const NS = 'bench';

interface Running {
  child: ChildProcess;
  port: () => Promise<number>;
}

function startOperator(cp: ControlPlane): Running {
  let output = '';
  const child = spawn(process.execPath, [join(REPO_ROOT, 'operator/dist/src/main.js')], {
    env: { ...process.env, KUBECONFIG: cp.kubeconfigPath, METRICS_PORT: '0', LEASE_NAMESPACE: NS, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    process.stderr.write(c);
  });
  return {
    child,
    port: () =>
      waitFor(
        'operator port',
        () => {
          const line = output.split('\n').find((l) => l.includes('"operator started"'));
          return line ? (JSON.parse(line) as { port: number }).port : undefined;
        },
        30_000,
      ),
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function scrape(port: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (re: RegExp) => Number(text.match(re)?.[1] ?? NaN);
  return {
    rssMiB: value(/^process_resident_memory_bytes ([\d.e+]+)/m) / 2 ** 20,
    heapUsedMiB: value(/^nodejs_heap_size_used_bytes ([\d.e+]+)/m) / 2 ** 20,
    reconciles: value(/^loanrisk_operator_reconcile_total\{result="success"\} (\d+)/m),
    errors: value(/^loanrisk_operator_reconcile_errors_total (\d+)/m),
    durationSum: value(/^loanrisk_operator_reconcile_duration_seconds_sum ([\d.e+-]+)/m),
    durationCount: value(/^loanrisk_operator_reconcile_duration_seconds_count (\d+)/m),
  };
}

async function models(cp: ControlPlane): Promise<LoanRiskModel[]> {
  const list = (await cp
    .kubeConfig()
    .makeApiClient(CustomObjectsApi)
    .listNamespacedCustomObject({ group: CRD_GROUP, version: CRD_VERSION, plural: CRD_PLURAL, namespace: NS })) as {
    items: LoanRiskModel[];
  };
  return list.items;
}

async function until(cp: ControlPlane, what: string, done: (m: LoanRiskModel) => boolean): Promise<number> {
  const start = performance.now();
  await waitFor(
    what,
    async () => {
      const items = await models(cp);
      return items.length === N && items.every(done);
    },
    600_000,
    250,
  );
  return (performance.now() - start) / 1000;
}

const perPass = (m: Record<string, number>) => Number(((m.durationSum / m.durationCount) * 1000).toFixed(1));

async function main(): Promise<void> {
  const cp = await startControlPlane();
  try {
    const kc = cp.kubeConfig();
    await installCrd(kc);
    await createNamespace(kc, NS);
    const names = Array.from({ length: N }, (_, i) => `m${String(i).padStart(3, '0')}`);

    let op = startOperator(cp);
    let port = await op.port();
    const idle = await scrape(port);
    const t0 = performance.now();
    for (const name of names) await createModel(kc, modelObject(NS, name, sampleSpec()));
    const createSeconds = (performance.now() - t0) / 1000;
    const trainingSeconds =
      createSeconds + (await until(cp, 'every model Training', (m) => m.status?.phase === 'Training'));
    const afterCreate = await scrape(port);
    await stop(op.child);

    for (const m of await models(cp)) {
      const job = m.status?.trainingJob;
      if (!job) throw new Error(`${m.metadata.name} is Training but its status names no training job`);
      await finishTraining(kc, NS, job, JSON.stringify(summary(`v${m.metadata.name}aaaaaaa`, 0.8)));
    }
    op = startOperator(cp);
    port = await op.port();
    const rolloutSeconds = await until(cp, 'every model RollingOut', (m) => m.status?.phase === 'RollingOut');
    const afterRollout = await scrape(port);
    await stop(op.child);

    op = startOperator(cp);
    port = await op.port();
    const t2 = performance.now();
    await waitFor('N no-op passes', async () => (await scrape(port)).reconciles >= N, 600_000, 50);
    const noopSeconds = (performance.now() - t2) / 1000;
    const afterNoop = await scrape(port);
    await stop(op.child);

    const round = (n: number) => Number(n.toFixed(2));
    process.stdout.write(
      `${JSON.stringify(
        {
          models: N,
          workers: 4,
          create: {
            seconds: round(trainingSeconds),
            modelsPerSecond: round(N / trainingSeconds),
            createCallsSeconds: round(createSeconds),
            meanPassMs: perPass(afterCreate),
            reconciles: afterCreate.reconciles,
            errors: afterCreate.errors,
          },
          gateAndRollout: {
            seconds: round(rolloutSeconds),
            modelsPerSecond: round(N / rolloutSeconds),
            meanPassMs: perPass(afterRollout),
            reconciles: afterRollout.reconciles,
            errors: afterRollout.errors,
          },
          noop: {
            seconds: round(noopSeconds),
            passesPerSecond: round(N / noopSeconds),
            meanPassMs: perPass(afterNoop),
          },
          memoryMiB: {
            idle: { rss: round(idle.rssMiB), heap: round(idle.heapUsedMiB) },
            afterCreate: { rss: round(afterCreate.rssMiB), heap: round(afterCreate.heapUsedMiB) },
            afterRollout: { rss: round(afterRollout.rssMiB), heap: round(afterRollout.heapUsedMiB) },
            afterNoop: { rss: round(afterNoop.rssMiB), heap: round(afterNoop.heapUsedMiB) },
          },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await cp.stop();
  }
}

await main();
