/**
 * skaffold.yaml names only things that exist (contexts, Dockerfiles, chart, values files, chart
 * values), and the Dockerfiles stay in step with the workspaces: pinned base image, every
 * workspace manifest copied for `npm ci`, a numeric non-root user, an entrypoint that the build
 * produces from a source file in the repository.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { CHART_DIR, REPO_ROOT } from './repo.js';

/** The parts of skaffold.yaml these tests read. */
interface SkaffoldRelease {
  chartPath: string;
  valuesFiles: string[];
  setValueTemplates?: Record<string, string>;
}
interface SkaffoldPatch {
  op: string;
  path: string;
  value: unknown;
}
interface SkaffoldConfig {
  build: { artifacts: { image: string; context: string; docker: { dockerfile: string } }[] };
  deploy: { helm: { releases: SkaffoldRelease[] } };
  profiles: { name: string; patches: SkaffoldPatch[] }[];
}
/** A YAML or JSON mapping, walked key by key. */
type Tree = Record<string, unknown>;

const skaffold = parse(readFileSync(join(REPO_ROOT, 'skaffold.yaml'), 'utf8')) as SkaffoldConfig;
const { workspaces } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
const chartValues = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as Tree & {
  worker: { command: string[] };
};
const exists = (path: string) => existsSync(join(REPO_ROOT, path));

/** JSON-patch `add` and `replace` (the ops skaffold profiles use) applied to a copy. */
function applyPatches(config: SkaffoldConfig, patches: SkaffoldPatch[]): SkaffoldConfig {
  const copy = structuredClone(config);
  for (const { op, path, value } of patches) {
    const keys = path.split('/').slice(1);
    const last = keys.pop();
    assert.ok(last !== undefined, `patch path ${path} names a key`);
    const parent = keys.reduce<Tree>((node, key) => node[key] as Tree, copy as unknown as Tree);
    assert.ok(op === 'replace' ? last in parent : op === 'add', `patch ${op} ${path}`);
    parent[last] = value;
  }
  return copy;
}

describe('skaffold.yaml', () => {
  const artifacts = skaffold.build.artifacts;

  test('builds the three images from existing contexts and Dockerfiles', () => {
    assert.deepEqual(artifacts.map((a) => a.docker.dockerfile).sort(), [
      'api/Dockerfile',
      'operator/Dockerfile',
      'trainer-job/Dockerfile',
    ]);
    for (const a of artifacts) {
      assert.ok(exists(a.context), `context ${a.context}`);
      assert.ok(exists(join(a.context, a.docker.dockerfile)), `dockerfile ${a.docker.dockerfile}`);
    }
  });

  test('each profile deploys the chart with its own existing values file', () => {
    const profiles = Object.fromEntries(skaffold.profiles.map((p) => [p.name, applyPatches(skaffold, p.patches)]));
    assert.deepEqual(Object.keys(profiles).sort(), ['dev', 'prod', 'staging']);
    for (const [name, config] of Object.entries(profiles)) {
      const [release] = config.deploy.helm.releases;
      assert.ok(
        exists(release.chartPath) && exists(join(release.chartPath, 'Chart.yaml')),
        `${name}: chart ${release.chartPath}`,
      );
      assert.deepEqual(release.valuesFiles, [`charts/loan-risk/values-${name}.yaml`]);
      for (const file of release.valuesFiles) assert.ok(exists(file), `${name}: ${file}`);
    }
  });

  test('every image it sets is a chart value and a built artifact', () => {
    const sanitize = (image: string) => image.replace(/[^A-Za-z0-9]/g, '_');
    const built = new Set(artifacts.map((a) => sanitize(a.image)));
    for (const [key, template] of Object.entries(skaffold.deploy.helm.releases[0].setValueTemplates ?? {})) {
      const value = key.split('.').reduce<unknown>((node, k) => (node as Tree | undefined)?.[k], chartValues);
      assert.notEqual(value, undefined, `${key} is not in values.yaml`);
      const image = template.match(/^\{\{\.IMAGE_(?:REPO|TAG|DIGEST)_(\w+)\}\}$/)?.[1];
      assert.ok(image && built.has(image), `${key}: ${template} names no built image`);
    }
  });
});

describe('Dockerfiles', () => {
  for (const dockerfile of ['trainer-job/Dockerfile', 'api/Dockerfile', 'operator/Dockerfile']) {
    const workspace = dockerfile.split('/')[0];
    const text = readFileSync(join(REPO_ROOT, dockerfile), 'utf8');

    test(`${dockerfile}: pinned base, npm ci of every workspace manifest, non-root runtime`, () => {
      const base = text.match(/^ARG NODE_IMAGE=(\S+)$/m)?.[1];
      assert.match(base ?? '', /^node:20\.\d+\.\d+-bookworm-slim$/, 'base image pinned to a patch release');
      assert.ok(
        text
          .split('\n')
          .filter((l) => l.startsWith('FROM '))
          .every((l) => l.startsWith('FROM ${NODE_IMAGE} AS ')),
        'every stage from the pinned base',
      );
      for (const ws of workspaces)
        assert.ok(text.includes(`COPY ${ws}/package.json ${ws}/`), `copies ${ws}/package.json before npm ci`);
      assert.match(text, /npm ci --omit=dev --workspace=@peerloan\/[a-z-]+ .*--ignore-scripts/);
      assert.match(text, /ONNXRUNTIME_NODE_INSTALL=skip/);
      const users = [...text.matchAll(/^USER (\S+)$/gm)].map((m) => m[1]);
      assert.deepEqual(users, ['1000:1000'], 'one numeric non-root USER, in the runtime stage');
    });

    test(
      `${dockerfile}: the entrypoint is built from a source file`,
      { skip: !workspaces.includes(workspace) && `${workspace} is not a workspace on this branch yet` },
      () => {
        const command = [...text.matchAll(/^(?:ENTRYPOINT|CMD) (\[.*\])$/gm)].flatMap(
          (m) => JSON.parse(m[1]) as string[],
        );
        const entry = command
          .flatMap((arg) => [...arg.matchAll(/^([a-z-]+)\/dist\/src\/([a-z-]+)\.js$/g)])
          .map((m) => `${m[1]}/src/${m[2]}.ts`);
        assert.ok(entry.length > 0, 'names its entrypoint');
        for (const source of entry) assert.ok(exists(source), `${source} exists`);
      },
    );
  }

  const workerScripts = workspaces.includes('workers')
    ? ((
        JSON.parse(readFileSync(join(REPO_ROOT, 'workers/package.json'), 'utf8')) as {
          scripts?: Partial<Record<string, string>>;
        }
      ).scripts ?? {})
    : {};
  test(
    "the chart's worker runs what `npm run worker` (the workers' start script) runs",
    { skip: !workerScripts.start && 'the workers workspace has no start script yet' },
    () => {
      const rootScripts = (
        JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
          scripts: Record<string, string>;
        }
      ).scripts;
      assert.equal(rootScripts.worker, 'npm run start -w workers');
      const script = workerScripts.start?.match(/^node (\S+\.js)$/)?.[1];
      assert.ok(script, `the workers' start script is "${workerScripts.start}"`);
      assert.deepEqual(chartValues.worker.command, ['node', `workers/${script}`]);
      assert.ok(exists(`workers/${script.replace(/^dist\//, '').replace(/\.js$/, '.ts')}`), 'its source exists');
    },
  );

  test('.dockerignore keeps dependencies, build output and the git history out of the context', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['**/node_modules', '**/dist', '.git', 'models', '.data'])
      assert.ok(ignored.includes(entry), entry);
  });
});
