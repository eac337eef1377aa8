// Bundles the desk into dist/: index.html, one JS bundle and one CSS file, content-hashed names
// (the server can cache them for good and index.html for no time). No inline script or style, so
// the page runs under a strict Content-Security-Policy. Prints the bundle's gzipped size and
// writes it to dist/bundle-size.json.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = join(here, 'dist');
/** The budget from the design: the page's JavaScript under about 150 KB gzipped. */
const GZIP_BUDGET = 150 * 1024;

await mkdir(dist, { recursive: true });
// dist/test holds the compiled browser tests: only the previous bundle goes.
for (const name of await readdir(dist)) {
  if (/^app-[\w-]+\.(js|css)$/.test(name) || name === 'index.html') await rm(join(dist, name));
}

const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: { app: 'src/main.tsx' },
  bundle: true,
  format: 'esm',
  target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
  minify: true,
  outdir: 'dist',
  entryNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: 'tsconfig.json',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
const js = outputs.find((name) => name.endsWith('.js'));
const css = outputs.find((name) => name.endsWith('.css'));
if (!js || !css) throw new Error(`expected one JS and one CSS output, got ${outputs.join(', ')}`);

const template = await readFile(join(here, 'src/index.html'), 'utf8');
await writeFile(join(dist, 'index.html'), template.replace('%JS%', js).replace('%CSS%', css));

const size = async (name) => {
  const content = await readFile(join(dist, name));
  return { bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
};
const bundle = await size(js);
const styles = await size(css);
await writeFile(
  join(dist, 'bundle-size.json'),
  `${JSON.stringify({ file: js, ...bundle, css: { file: css, ...styles } }, null, 2)}\n`,
);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(
  `web: ${js} ${kb(bundle.bytes)} (${kb(bundle.gzipBytes)} gzipped), ${css} ${kb(styles.bytes)} (${kb(styles.gzipBytes)} gzipped)`,
);
if (bundle.gzipBytes > GZIP_BUDGET) {
  console.error(`web: the bundle is over the ${kb(GZIP_BUDGET)} gzipped budget`);
  process.exitCode = 1;
}
