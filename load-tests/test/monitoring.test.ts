/**
 * The chart's monitoring objects: off by default; when on, the PodMonitor scrapes every platform
 * pod, promtool accepts the PrometheusRule and its unit tests (charts/loan-risk/monitoring/
 * alerts.test.yaml) pass against the rendered rules, and every metric and label that a rule or a
 * dashboard query names is one the code really registers (the API's, the workers' and the
 * operator's Prometheus registries, instantiated here).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { parser } from '@prometheus-io/lezer-promql';
import type { Registry } from 'prom-client';
import { parse, stringify } from 'yaml';
import { Metrics } from '@peerloan/api/dist/src/metrics.js';
import { ModelMetrics } from '@peerloan/scoring';
import { BatchMetrics } from '@peerloan/workers/dist/src/batch/batch-metrics.js';
import { DriftMonitor, type DriftWorkerOptions } from '@peerloan/workers/dist/src/drift/drift-worker.js';
import { envDriftSettings } from '@peerloan/workers/dist/src/drift/drift-settings.js';
import { OperatorMetrics } from '@peerloan/operator/dist/src/metrics.js';
import {
  CHART_DIR,
  find,
  helm,
  MONITORING_ON,
  only,
  parseYamlObjects,
  renderChart,
  toolsBin,
  type K8sObject,
} from './repo.js';

const MONITORING_ON_TWO_NAMESPACES = [
  ...MONITORING_ON,
  '--set',
  'monitoring.podMonitor.extraNamespaces={peerloan-quiet}',
];
/** Labels Prometheus adds to every scraped series (the PodMonitor's target labels). */
const TARGET_LABELS = ['namespace', 'pod', 'container', 'job', 'instance', 'endpoint'];
const HISTOGRAM_SUFFIXES = ['_bucket', '_count', '_sum'];

interface Exported {
  readonly labels: ReadonlySet<string>;
}

/** Every series name a registry exposes, with the labels it may carry. */
function seriesOf(registry: Registry): Map<string, Exported> {
  const series = new Map<string, Exported>();
  for (const metric of registry.getMetricsAsArray() as unknown as {
    name: string;
    type: string;
    labelNames?: string[];
  }[]) {
    const labels = new Set([...(metric.labelNames ?? []), ...TARGET_LABELS]);
    if (metric.type !== 'histogram') {
      series.set(metric.name, { labels });
      continue;
    }
    for (const suffix of HISTOGRAM_SUFFIXES) {
      series.set(`${metric.name}${suffix}`, { labels: suffix === '_bucket' ? new Set([...labels, 'le']) : labels });
    }
  }
  return series;
}

/** The metrics the API, the workers (drift and batch; GC duration on, as in the workers) and the operator register, as real instances make them. */
async function exportedSeries(): Promise<Map<string, Exported>> {
  const api = new Metrics({ gcDuration: true });
  const workers = new ModelMetrics({ gcDuration: true });
  const drift: DriftWorkerOptions = {
    redisUrl: 'redis://127.0.0.1:1',
    store: undefined as never,
    notifier: undefined as never,
    settings: () => envDriftSettings(0.2, 500),
    registry: workers.registry,
    logger: undefined as never,
  };
  new DriftMonitor(drift);
  const batch = new BatchMetrics(workers.registry, 'redis://127.0.0.1:1');
  await batch.close();
  return new Map([
    ...seriesOf(api.registry),
    ...seriesOf(workers.registry),
    ...seriesOf(new OperatorMetrics(true).registry),
  ]);
}

interface Selector {
  readonly metric: string;
  readonly labels: string[];
}

/** The vector selectors of a PromQL expression, by Prometheus' own grammar (lezer-promql); a syntax error fails. */
function selectorsOf(expr: string): Selector[] {
  const selectors: Selector[] = [];
  let current: { metric: string; labels: string[] } | undefined;
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) throw new Error(`PromQL syntax error at ${node.from} in: ${expr}`);
      if (node.name === 'VectorSelector') current = { metric: '', labels: [] };
      if (!current) return;
      const text = expr.slice(node.from, node.to);
      if (node.name === 'Identifier') current.metric = text;
      if (node.name === 'LabelName' && node.node.parent?.name.endsWith('LabelMatcher')) current.labels.push(text);
    },
    leave(node) {
      if (node.name !== 'VectorSelector' || !current) return;
      selectors.push(current);
      current = undefined;
    },
  });
  return selectors;
}

function assertExported(where: string, expr: string, exported: Map<string, Exported>): void {
  const selectors = selectorsOf(expr);
  assert.ok(selectors.length > 0, `${where}: no metric in ${expr}`);
  for (const { metric, labels } of selectors) {
    const found = exported.get(metric);
    assert.ok(found, `${where}: ${metric} is not exported by the API, worker or operator registries`);
    for (const label of labels) assert.ok(found.labels.has(label), `${where}: ${metric} has no label ${label}`);
  }
}

/** A directory holding the rule groups as rules.yaml beside a copy of the chart's unit tests. */
function rulesDir(rule: PrometheusRule): string {
  const dir = mkdtempSync(join(tmpdir(), 'promtool-'));
  writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: rule.spec.groups }));
  copyFileSync(join(CHART_DIR, 'monitoring/alerts.test.yaml'), join(dir, 'alerts.test.yaml'));
  return dir;
}

function promtool(args: string[], cwd: string): { status: number | null; output: string } {
  const res = spawnSync(join(toolsBin(), 'promtool'), args, { cwd, encoding: 'utf8' });
  if (res.error) throw res.error;
  return { status: res.status, output: `${res.stdout}${res.stderr}` };
}

/** The fields of the rendered objects these tests read. */
interface RuleGroup {
  readonly name: string;
  readonly rules: readonly { readonly alert: string; readonly expr: string }[];
}
interface PrometheusRule {
  readonly spec: { readonly groups: readonly RuleGroup[] };
}
interface PodMonitor {
  readonly spec: {
    readonly namespaceSelector: { readonly matchNames: readonly string[] };
    readonly selector: {
      readonly matchLabels: Record<string, string>;
      readonly matchExpressions: readonly { readonly values: readonly string[] }[];
    };
    readonly podMetricsEndpoints: readonly { readonly port: string }[];
  };
}
interface PlatformDeployment {
  readonly spec: {
    readonly template: {
      readonly metadata: { readonly labels: Record<string, string> };
      readonly spec: { readonly containers: readonly { readonly ports: readonly { readonly name: string }[] }[] };
    };
  };
}
interface Dashboard {
  readonly panels: readonly { readonly title: string; readonly targets: readonly { readonly expr: string }[] }[];
}

const labelsOf = (o: K8sObject): Record<string, string> | undefined =>
  (o.metadata as { labels?: Record<string, string> }).labels;
const dashboardOf = (configMap: K8sObject): Dashboard =>
  JSON.parse((configMap as unknown as { data: Record<string, string> }).data['loan-risk.json'] ?? '') as Dashboard;

describe('chart monitoring', () => {
  let objects: K8sObject[];
  let exported: Map<string, Exported>;
  let rules: PrometheusRule;
  let dashboard: Dashboard;

  before(async () => {
    const res = helm(['template', 'loan-risk', CHART_DIR, '-n', 'peerloan', ...MONITORING_ON_TWO_NAMESPACES]);
    assert.equal(res.status, 0, res.stderr);
    objects = parseYamlObjects(res.stdout);
    rules = only(objects, 'PrometheusRule') as unknown as PrometheusRule;
    dashboard = dashboardOf(only(objects, 'ConfigMap', 'loan-risk-dashboard'));
    exported = await exportedSeries();
  });

  test('off by default in every environment', () => {
    for (const env of ['dev', 'staging', 'prod'] as const) {
      const rendered = renderChart(env);
      assert.deepEqual(
        ['PodMonitor', 'PrometheusRule'].flatMap((kind) => find(rendered, kind)),
        [],
      );
      assert.equal(find(rendered, 'ConfigMap').filter((c) => labelsOf(c)?.grafana_dashboard).length, 0);
    }
  });

  test('the PodMonitor scrapes the API pods on http and the workers and operator on metrics, in the watched namespaces', () => {
    const monitor = only(objects, 'PodMonitor') as unknown as PodMonitor;
    assert.deepEqual(monitor.spec.namespaceSelector.matchNames, ['peerloan', 'peerloan-quiet']);
    assert.deepEqual(
      monitor.spec.podMetricsEndpoints.map((e) => e.port),
      ['http', 'metrics'],
    );
    assert.deepEqual(monitor.spec.selector.matchLabels, { 'app.kubernetes.io/part-of': 'loan-risk' });
    const deployments = ['loan-risk-worker', 'loan-risk-operator'].map(
      (name) => only(objects, 'Deployment', name) as unknown as PlatformDeployment,
    );
    for (const {
      spec: { template: pod },
    } of deployments) {
      assert.equal(pod.metadata.labels['app.kubernetes.io/part-of'], 'loan-risk');
      assert.ok(
        monitor.spec.selector.matchExpressions[0]?.values.includes(
          pod.metadata.labels['app.kubernetes.io/component'] ?? '',
        ),
      );
      assert.ok(pod.spec.containers[0]?.ports.some((p) => p.name === 'metrics'));
    }
  });

  test('the dashboard ConfigMap carries the grafana_dashboard label and the panels the issue asks for', () => {
    assert.equal(labelsOf(only(objects, 'ConfigMap', 'loan-risk-dashboard'))?.grafana_dashboard, '1');
    const titles = dashboard.panels.map((p) => p.title);
    for (const title of [
      'Requests per second',
      'Latency of predictions',
      'Decisions by outcome',
      'Score distribution',
      'Drift PSI per feature',
      'Batch throughput',
    ]) {
      assert.ok(titles.includes(title), `missing panel ${title}`);
    }
  });

  test('every alert and every dashboard query names metrics and labels the code exports', () => {
    for (const group of rules.spec.groups) {
      for (const rule of group.rules) assertExported(`alert ${rule.alert}`, rule.expr, exported);
    }
    for (const panel of dashboard.panels) {
      // Grafana's own variables are not PromQL: a range stands in for $__rate_interval.
      for (const target of panel.targets)
        assertExported(`panel ${panel.title}`, target.expr.replaceAll('$__rate_interval', '5m'), exported);
    }
  });

  test('a metric the code does not export is caught', () => {
    assert.throws(() => {
      assertExported('probe', 'rate(loanrisk_no_such_total[5m])', exported);
    }, /loanrisk_no_such_total is not exported/);
    assert.throws(() => {
      assertExported('probe', 'loanrisk_predictions_total{outcome="yes"}', exported);
    }, /has no label outcome/);
  });

  test('promtool check rules accepts the rules and promtool test rules passes a unit test of every alert', () => {
    const check = promtool(['check', 'rules', 'rules.yaml'], rulesDir(rules));
    assert.equal(check.status, 0, check.output);
    assert.match(check.output, /SUCCESS: 7 rules found/);
    const unit = promtool(['test', 'rules', 'alerts.test.yaml'], rulesDir(rules));
    assert.equal(unit.status, 0, unit.output);
    const alerts = rules.spec.groups.flatMap((g) => g.rules.map((r) => r.alert)).sort();
    const unitTests = parse(readFileSync(join(CHART_DIR, 'monitoring/alerts.test.yaml'), 'utf8')) as {
      tests: { alert_rule_test: { alertname: string }[] }[];
    };
    const tested = new Set(unitTests.tests.flatMap((t) => t.alert_rule_test.map((a) => a.alertname)));
    assert.deepEqual([...tested].sort(), alerts);
  });

  test('a threshold that misses its unit test fails promtool test rules', () => {
    const res = helm([
      'template',
      'loan-risk',
      CHART_DIR,
      '-n',
      'peerloan',
      ...MONITORING_ON_TWO_NAMESPACES,
      // --set would pass 0.5 as a string, which the values schema refuses.
      '--set-json',
      'monitoring.prometheusRule.apiErrorRatio=0.5',
    ]);
    assert.equal(res.status, 0, res.stderr);
    const loose = only(parseYamlObjects(res.stdout), 'PrometheusRule') as unknown as PrometheusRule;
    const unit = promtool(['test', 'rules', 'alerts.test.yaml'], rulesDir(loose));
    assert.notEqual(unit.status, 0);
    assert.match(unit.output, /alertname: LoanRiskApiErrors/);
  });
});
