/**
 * What the runbook (docs/OPERATIONS.md) relies on in the chart's Redis and the API's
 * NetworkPolicy: Redis runs with a maxmemory below its memory limit and the noeviction policy
 * BullMQ needs, its claim is kept on uninstall unless told otherwise, and the API pods admit the
 * extra NetworkPolicy peers (e.g. a cloud load balancer's addresses) beside the chart's own.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { required } from '@peerloan/operator/dist/test/required.js';
import { ENVIRONMENTS, MODEL_VALUE_ARGS, MODEL_VALUES, only, podSpec, renderChart, type K8sObject } from './repo.js';

const BINARY_UNITS: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };

/** Bytes of a memory quantity as the values files write it (256Mi, 1Gi). */
function bytesOf(quantity: string | number): number {
  const match = /^(\d+)(Ki|Mi|Gi)$/.exec(String(quantity));
  if (!match) throw new Error(`the test reads Ki, Mi and Gi quantities only, not ${quantity}`);
  return Number(match[1]) * BINARY_UNITS[match[2]];
}

const redisContainer = (objects: K8sObject[]) => podSpec(only(objects, 'StatefulSet')).containers[0];

/** The value after `flag` in Redis' arguments. */
function redisArg(objects: K8sObject[], flag: string): string | undefined {
  const args = redisContainer(objects).args ?? [];
  const at = args.indexOf(flag);
  return at < 0 ? undefined : args[at + 1];
}

describe("Redis' memory", () => {
  for (const env of ENVIRONMENTS) {
    test(`${env}: maxmemory is 80 % of the container's memory limit, with noeviction`, () => {
      const objects = renderChart(env);
      const limit = required(redisContainer(objects).resources?.limits?.memory, 'the Redis memory limit');
      assert.equal(redisArg(objects, '--maxmemory'), String(Math.floor((bytesOf(limit) * 80) / 100)));
      assert.equal(redisArg(objects, '--maxmemory-policy'), 'noeviction');
    });

    test(`${env}: no RDB snapshots (their fork is not in the memory left beside maxmemory)`, () => {
      assert.equal(redisArg(renderChart(env), '--save'), '');
    });
  }

  test('a share follows the limit; a size is passed to Redis as written', () => {
    const share = renderChart('dev', ['--set', 'redis.resources.limits.memory=2Gi', '--set', 'redis.maxmemory=50%']);
    assert.equal(redisArg(share, '--maxmemory'), String(2 ** 30));
    const size = renderChart('dev', ['--set', 'redis.maxmemory=600mb']);
    assert.equal(redisArg(size, '--maxmemory'), '600mb');
  });
});

describe("Redis' claim on uninstall", () => {
  const policy = (objects: K8sObject[]) =>
    only(objects, 'PersistentVolumeClaim', 'loan-risk-redis-data').metadata.annotations?.['helm.sh/resource-policy'];

  for (const env of ['staging', 'prod'] as const) {
    test(`${env}: kept (helm.sh/resource-policy: keep), like the data claim`, () => {
      const objects = renderChart(env);
      assert.equal(policy(objects), 'keep');
      assert.equal(
        only(objects, 'PersistentVolumeClaim', 'loan-data').metadata.annotations?.['helm.sh/resource-policy'],
        'keep',
      );
    });
  }

  test('redis.persistence.keepOnUninstall=false lets the uninstall delete it', () => {
    assert.equal(policy(renderChart('prod', ['--set', 'redis.persistence.keepOnUninstall=false'])), undefined);
  });
});

describe("the API's NetworkPolicy", () => {
  const firstRule = (objects: K8sObject[]) =>
    required(only(objects, 'NetworkPolicy', 'loan-risk-api').spec?.ingress?.[0], "the policy's first rule");

  test("admits networkPolicy.extraIngressFrom on the API ports, after the chart's own peers", () => {
    const plain = firstRule(renderChart('prod'));
    const rule = firstRule(renderChart('prod', MODEL_VALUE_ARGS));
    assert.deepEqual(rule.from, [...(plain.from ?? []), ...MODEL_VALUES.extraIngressFrom]);
    assert.deepEqual(rule.ports, plain.ports);
    assert.deepEqual(
      plain.ports?.map((p) => p.port),
      ['http', 'grpc'],
    );
  });

  for (const env of ENVIRONMENTS) {
    test(`${env}: no address range unless given`, () => {
      assert.ok(!firstRule(renderChart(env)).from?.some((peer) => 'ipBlock' in peer));
    });
  }
});
