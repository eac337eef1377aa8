// Summarises a V8 .cpuprofile (node --cpu-prof) of the API into shares of the process's CPU by
// what the time served: each sample is charged to the innermost stack frame that a category
// claims, so library frames called from our code count for the library.
import { readFileSync } from 'node:fs';

/** First match wins, innermost frame first; `url` is the script's path, `fn` the function name. */
const CATEGORIES = [
  ['onnxruntime run (native + binding)', (f) => /onnxruntime-(node|common)/.test(f.url)],
  [
    'JSON body parsing (body-parser, raw-body, JSON.parse)',
    (f) =>
      /body-parser|raw-body|iconv-lite|content-type|type-is|media-typer/.test(f.url) ||
      (f.fn === 'parse' && f.url === ''),
  ],
  [
    'validation (Ajv schema, record completion)',
    (f) => /request-validation|ajv/.test(f.url) || /^validate\d*$/.test(f.fn),
  ],
  ['reasons (explanation variants and ranking)', (f) => /explanations\.js/.test(f.url)],
  ['micro-batching', (f) => /micro-batcher/.test(f.url)],
  ['tensor building (records -> input tensors)', (f) => /model-inputs|loaded-model|dense-encoding/.test(f.url)],
  ['metrics (prom-client)', (f) => /prom-client|metrics\.js/.test(f.url)],
  ['logging (pino, request ids)', (f) => /pino|request-log|sonic-boom/.test(f.url)],
  ['answer JSON (res.json, JSON.stringify)', (f) => f.fn === 'stringify' || /express\/lib\/response/.test(f.url)],
  ['our route handlers (predict, scoring, rollout routing)', (f) => /api\/dist\/src\//.test(f.url)],
  [
    'Express (router, middleware, helmet)',
    (f) =>
      /node_modules\/(express|router|helmet|finalhandler|send|on-finished|path-to-regexp|qs|depd|parseurl|vary|accepts|negotiator|mime)/.test(
        f.url,
      ),
  ],
  [
    'Node HTTP and sockets',
    (f) =>
      /^node:(_http|http|net|stream|internal\/(http|streams|stream_base|net|timers|async_hooks|process\/task_queues))/.test(
        f.url,
      ),
  ],
  ['garbage collection', (f) => f.fn === '(garbage collector)'],
  ['idle', (f) => f.fn === '(idle)'],
];

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const memo = new Map();
function categoryOf(id) {
  if (memo.has(id)) return memo.get(id);
  let result = 'other (V8, Node internals, program)';
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const { callFrame } = nodes.get(cur);
    const frame = { url: callFrame.url.replace(/^file:\/\//, ''), fn: callFrame.functionName };
    const hit = CATEGORIES.find(([, test]) => test(frame));
    if (hit) {
      result = hit[0];
      break;
    }
  }
  memo.set(id, result);
  return result;
}

const totals = new Map();
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  const cat = categoryOf(id);
  totals.set(cat, (totals.get(cat) ?? 0) + dt);
});
const idle = totals.get('idle') ?? 0;
const busy = [...totals].filter(([c]) => c !== 'idle').reduce((s, [, t]) => s + t, 0);
console.log(`| what | share of busy CPU | ms |`);
console.log(`| --- | ---: | ---: |`);
for (const [cat, t] of [...totals].filter(([c]) => c !== 'idle').sort((a, b) => b[1] - a[1])) {
  console.log(`| ${cat} | ${((100 * t) / busy).toFixed(1)} % | ${(t / 1000).toFixed(0)} |`);
}
console.log(`\nbusy ${(busy / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms of the profiled main thread`);

if (process.env.PROFILE_TOP) {
  const byFrame = new Map();
  profile.samples.forEach((id, i) => {
    const { callFrame } = nodes.get(id);
    const key = `${callFrame.functionName || '(anonymous)'} ${callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, '')}:${callFrame.lineNumber}`;
    byFrame.set(key, (byFrame.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  console.log('\nfunctions by self time:');
  for (const [key, t] of [...byFrame].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.PROFILE_TOP)))
    console.log(`${((100 * t) / busy).toFixed(1).padStart(5)} %  ${key}`);
}

if (process.env.PROFILE_MODULES) {
  // Inclusive time per script: a sample counts for every script on its stack (once each).
  const byModule = new Map();
  profile.samples.forEach((id, i) => {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const url = nodes
        .get(cur)
        .callFrame.url.replace(/^.*node_modules\//, '')
        .replace(/^file:\/\/.*\/dist\//, '');
      if (url) seen.add(url);
    }
    for (const url of seen) byModule.set(url, (byModule.get(url) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  console.log('\nscripts by inclusive time:');
  for (const [url, t] of [...byModule].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.PROFILE_MODULES)))
    console.log(`${((100 * t) / busy).toFixed(1).padStart(5)} %  ${url}`);
}
