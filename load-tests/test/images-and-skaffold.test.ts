/**
 * skaffold.yaml names only things that exist (contexts, the Dockerfile and its targets, chart,
 * values files, chart values), and the Dockerfile stays in step with the workspaces: pinned base
 * image, every workspace manifest copied for `npm ci` once, and per image a runtime stage on the
 * pinned base with its own production dependencies, a numeric non-root user and an entrypoint
 * that the build produces from a source file in the repository.
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
  build: { artifacts: { image: string; context: string; docker: { dockerfile: string; target?: string } }[] };
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
/** The images, each a target of the one Dockerfile and a workspace whose program it runs. */
const IMAGES = ['api', 'operator', 'trainer-job', 'workers'];

/** One `FROM <base> AS <name>` stage of the Dockerfile and its instructions. */
interface Stage {
  readonly name: string;
  readonly base: string;
  readonly lines: string[];
}
const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const stages: Stage[] = [];
for (const line of dockerfile.split('\n')) {
  const from = line.match(/^FROM (\S+) AS (\S+)$/);
  if (from) stages.push({ base: from[1], name: from[2], lines: [] });
  else if (line.startsWith('FROM ')) assert.fail(`unnamed stage: ${line}`);
  else stages.at(-1)?.lines.push(line);
}
const stage = (name: string) => {
  const found = stages.find((s) => s.name === name);
  assert.ok(found, `the Dockerfile has a stage ${name}`);
  return found;
};

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

  test("builds the four images as the root Dockerfile's targets, from the repository root", () => {
    assert.deepEqual(artifacts.map((a) => a.docker.target).sort(), IMAGES);
    for (const a of artifacts) {
      assert.equal(a.image, `ghcr.io/peerloan/${a.docker.target}`);
      assert.equal(a.context, '.');
      assert.equal(a.docker.dockerfile, 'Dockerfile');
      stage(a.docker.target ?? '');
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

describe('Dockerfile', () => {
  test('pinned base, every workspace manifest copied once for npm ci, every stage from the base', () => {
    const base = dockerfile.match(/^ARG NODE_IMAGE=(\S+)$/m)?.[1];
    assert.match(base ?? '', /^node:20\.\d+\.\d+-bookworm-slim$/, 'base image pinned to a patch release');
    stages.forEach(({ name, base: from }, i) => {
      assert.ok(
        from === '${NODE_IMAGE}' || stages.slice(0, i).some((earlier) => earlier.name === from),
        `${name} starts from the pinned base or an earlier stage, not ${from}`,
      );
    });
    for (const ws of workspaces)
      assert.equal(dockerfile.split(`COPY ${ws}/package.json ${ws}/`).length, 2, `copies ${ws}/package.json once`);
    assert.match(dockerfile, /ONNXRUNTIME_NODE_INSTALL=skip/);
    const prodDeps = readFileSync(join(REPO_ROOT, 'scripts/image-prod-deps.sh'), 'utf8');
    assert.match(prodDeps, /npm ci --omit=dev \$workspaces .*--ignore-scripts/);
    // npm installs a named workspace's own devDependencies; the script removes what they alone need.
    assert.match(prodDeps, /npm ls --omit=dev --all --parseable \$workspaces/);
  });

  for (const image of IMAGES) {
    test(`${image}: a runtime stage on the pinned base with its own production dependencies, non-root`, () => {
      const { base, lines } = stage(image);
      assert.equal(base, '${NODE_IMAGE}', 'the runtime starts from the base, not from a build stage');
      const deps = lines.join('\n').match(/^COPY --from=(\S+) \/src\/node_modules node_modules$/m)?.[1];
      assert.ok(deps, 'copies its node_modules from a stage');
      const install = stage(deps).lines.find((l) => l.startsWith('RUN image-prod-deps '));
      assert.ok(
        install?.split(' ').includes(`@peerloan/${image}`),
        `${deps} installs @peerloan/${image}'s dependencies`,
      );
      const users = lines.flatMap((l) => l.match(/^USER (\S+)$/)?.[1] ?? []);
      assert.deepEqual(users, ['1000:1000'], 'one numeric non-root USER');
    });

    test(`${image}: the entrypoint is built from a source file`, () => {
      const command = stage(image).lines.flatMap((l) => {
        const json = l.match(/^(?:ENTRYPOINT|CMD) (\[.*\])$/)?.[1];
        return json ? (JSON.parse(json) as string[]) : [];
      });
      const entry = command
        .flatMap((arg) => [...arg.matchAll(/^([a-z-]+)\/dist\/src\/([a-z-]+)\.js$/g)])
        .map((m) => `${m[1]}/src/${m[2]}.ts`);
      assert.deepEqual(entry, [`${image}/src/main.ts`], 'names its entrypoint');
      for (const source of entry) assert.ok(exists(source), `${source} exists`);
    });
  }

  test('npm run images builds the targets skaffold builds', () => {
    const script = readFileSync(join(REPO_ROOT, 'scripts/images.sh'), 'utf8');
    assert.deepEqual(
      script
        .match(/^IMAGES=\$\{IMAGES:-([a-z -]+)\}$/m)?.[1]
        .split(' ')
        .sort(),
      IMAGES,
    );
    assert.match(script, /-f "\$REPO_ROOT\/Dockerfile" --target "\$name"/);
  });

  const workerScripts = workspaces.includes('workers')
    ? ((
        JSON.parse(readFileSync(join(REPO_ROOT, 'workers/package.json'), 'utf8')) as {
          scripts?: Partial<Record<string, string>>;
        }
      ).scripts ?? {})
    : {};
  test(
    "the workers' image starts what `npm run worker` (the workers' start script) runs, and the chart keeps its entrypoint",
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
      assert.ok(stage('workers').lines.includes(`ENTRYPOINT ["node", "workers/${script}"]`));
      assert.deepEqual(chartValues.worker.command, [], "the chart runs the image's entrypoint unless told otherwise");
    },
  );

  test("each image ships its own program only: no workers in the API's, no server or web app in the workers'", () => {
    const copied = (image: string) =>
      stage(image).lines.flatMap((l) => l.match(/^COPY --from=build \/src\/([a-z-]+)\//)?.[1] ?? []);
    const installed = (image: string) => {
      const deps = stage(image)
        .lines.join('\n')
        .match(/^COPY --from=(\S+) \/src\/node_modules node_modules$/m)?.[1];
      return (
        stage(deps ?? '')
          .lines.find((l) => l.startsWith('RUN image-prod-deps '))
          ?.split(' ')
          .slice(2) ?? []
      );
    };
    assert.deepEqual(installed('api'), ['@peerloan/api']);
    assert.deepEqual(installed('workers'), ['@peerloan/workers']);
    assert.deepEqual([...new Set(copied('api'))], ['contracts', 'scoring', 'api', 'web']);
    assert.deepEqual([...new Set(copied('workers'))], ['contracts', 'scoring', 'workers']);
  });

  test('.dockerignore keeps dependencies, build output, the git history and the Dockerfile out of the context', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['**/node_modules', '**/dist', '.git', 'models', '.data', 'Dockerfile'])
      assert.ok(ignored.includes(entry), entry);
  });
});
