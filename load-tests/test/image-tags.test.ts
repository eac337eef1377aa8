/**
 * One release tag: charts/loan-risk/Chart.yaml's appVersion. Every ghcr.io/peerloan image that the
 * docs' code blocks, the sample LoanRiskModels, the install manifests, the CRDs and skaffold.yaml
 * name carries it (or no tag where the tool picks one), and prod's values render it; the few files
 * that name another tag are listed once below, each with its reason.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { codeBlocks } from './markdown.js';
import { CHART_DIR, find, podSpec, renderChart, REPO_ROOT } from './repo.js';

const APP_VERSION = (parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as { appVersion: string }).appVersion;

type ImageValues = Record<'operator' | 'api' | 'worker' | 'trainer', { tag?: string }>;
const devImages = (parse(readFileSync(join(CHART_DIR, 'values-dev.yaml'), 'utf8')) as { images: ImageValues }).images;
const DEV_TAGS = new Set(Object.values(devImages).map((i) => i.tag));
assert.equal(DEV_TAGS.size, 1, 'values-dev.yaml names one tag for its four images');
const [DEV_TAG] = DEV_TAGS;

/** Files that may name a tag other than appVersion: the tag and why. */
const EXCEPTIONS: readonly { file: string; tag: string | undefined; why: string }[] = [
  {
    file: 'manifests/samples/loanriskmodel-dev.yaml',
    tag: DEV_TAG,
    why: "values-dev.yaml's tag, which `npm run images` builds for the local cluster the README applies this sample to",
  },
  {
    file: 'manifests/samples/loanriskmodel-canary.yaml',
    tag: DEV_TAG,
    why: "dev-sized like the dev sample, applied on the same local cluster after `npm run images` (values-dev.yaml's tag)",
  },
];

/** A ghcr.io/peerloan image: its name and its tag, when it has one (`:<release tag>` placeholders are not tags). */
const IMAGE = /ghcr\.io\/peerloan\/([a-z0-9-]+)(?::(\w[\w.-]*))?/g;

function tracked(...patterns: string[]): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '--', ...patterns], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);
}

interface Mention {
  readonly where: string;
  readonly file: string;
  readonly image: string;
  readonly tag: string | undefined;
  /** The whole line it is on. */
  readonly text: string;
}

function mentions(file: string, text: string, firstLine: number): Mention[] {
  return text.split('\n').flatMap((line, i) =>
    [...line.matchAll(IMAGE)].map((m) => ({
      where: `${file}:${firstLine + i}`,
      file,
      image: m[1],
      tag: m[2],
      text: line,
    })),
  );
}

/** Code blocks of every doc but the benchmarks' history, which records its own time. */
const docMentions = tracked('*.md')
  .filter((doc) => doc !== 'docs/benchmarks-history.md')
  .flatMap((doc) =>
    codeBlocks(readFileSync(join(REPO_ROOT, doc), 'utf8')).flatMap((b) => mentions(doc, b.code, b.line + 1)),
  );
const manifestMentions = tracked('manifests/*.yaml', 'charts/loan-risk/crds/*.yaml', 'skaffold.yaml').flatMap((file) =>
  mentions(file, readFileSync(join(REPO_ROOT, file), 'utf8'), 1),
);

test(`every ghcr.io/peerloan tag in the docs' code blocks, manifests and skaffold.yaml is appVersion ${APP_VERSION}`, () => {
  const all = [...docMentions, ...manifestMentions];
  assert.ok(
    all.some((m) => m.file === 'README.md' && m.tag !== undefined),
    'the README names tagged images: has the form changed?',
  );
  const wrong = all
    .filter((m) => m.tag !== undefined && m.tag !== APP_VERSION)
    .filter((m) => !EXCEPTIONS.some((e) => e.file === m.file && e.tag === m.tag))
    .map((m) => `${m.where}: ghcr.io/peerloan/${m.image}:${m.tag}`);
  assert.deepEqual(
    wrong,
    [],
    `name ${APP_VERSION} (charts/loan-risk/Chart.yaml appVersion) or list the file in EXCEPTIONS`,
  );
});

test('every image a manifest runs names its tag (no implicit latest)', () => {
  const untagged = manifestMentions
    .filter((m) => m.file !== 'skaffold.yaml' && m.tag === undefined && /^\s*(?:-\s+)?image:\s/.test(m.text))
    .map((m) => m.where);
  assert.deepEqual(untagged, []);
});

test('skaffold.yaml names its images without a tag: its tagPolicy tags what it builds', () => {
  const tagged = manifestMentions.filter((m) => m.file === 'skaffold.yaml' && m.tag !== undefined).map((m) => m.where);
  assert.deepEqual(tagged, []);
});

test('each exception still names its tag, so the list never outlives its reason', () => {
  for (const { file, tag } of EXCEPTIONS) {
    const tags = new Set(manifestMentions.filter((m) => m.file === file).map((m) => m.tag));
    assert.deepEqual([...tags], [tag], `${file} names ghcr.io/peerloan images with tag ${String(tag)} only`);
  }
});

test(`prod's values run every ghcr.io/peerloan image at appVersion ${APP_VERSION}, naming no tag of their own`, () => {
  const prod = parse(readFileSync(join(CHART_DIR, 'values-prod.yaml'), 'utf8')) as { images?: Partial<ImageValues> };
  assert.deepEqual(
    Object.entries(prod.images ?? {}).filter(([, image]) => image.tag !== undefined),
    [],
    'values-prod.yaml leaves the tags to Chart.yaml: a release bumps appVersion alone',
  );
  const objects = renderChart('prod');
  const images = [
    ...objects
      .filter((o) => ['Deployment', 'StatefulSet', 'Pod', 'CronJob'].includes(o.kind))
      .flatMap((o) => podSpec(o).containers.map((c) => c.image ?? '')),
    ...find(objects, 'LoanRiskModel').flatMap((m) => [m.spec.training.image, m.spec.serving.image]),
  ].filter((image) => image.startsWith('ghcr.io/peerloan/'));
  assert.deepEqual(
    [...new Set(images.map((image) => image.replace(/^ghcr\.io\/peerloan\/|:[^:]*$/g, '')))].sort(),
    ['api', 'operator', 'trainer-job', 'workers'],
    `operator, worker, trainer and API images rendered: ${images.join(', ')}`,
  );
  assert.deepEqual(
    images.filter((image) => !image.endsWith(`:${APP_VERSION}`)),
    [],
  );
});
