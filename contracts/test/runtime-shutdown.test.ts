import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('./fixtures/shutdown-process.js', import.meta.url));

interface Run {
  code: number | null;
  stderr: string;
  lines: { msg: string; [key: string]: unknown }[];
}

/** Runs the fixture; sends it `signals` once it logs `listening`, and `more` once its drain has started. */
async function run(env: Record<string, string>, signals: NodeJS.Signals[], more: NodeJS.Signals[] = []): Promise<Run> {
  const child = spawn(process.execPath, [FIXTURE], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const sendOn = (msg: string, chunk: string, toSend: NodeJS.Signals[]) => {
    if (!stdout.includes(msg) && (stdout + chunk).includes(msg)) for (const signal of toSend) child.kill(signal);
  };
  child.stdout.on('data', (data: Buffer) => {
    const chunk = data.toString();
    sendOn('"listening"', chunk, signals);
    sendOn('"drain started"', chunk, more);
    stdout += chunk;
  });
  const [code] = (await once(child, 'close')) as [number | null];
  const lines = stdout
    .split('\n')
    .filter(Boolean)
    .map((text) => JSON.parse(text) as Run['lines'][number]);
  return { code, stderr, lines };
}

const messages = (r: Run) => r.lines.map((l) => l.msg);

describe('graceful shutdown', () => {
  test('SIGTERM drains once, however many signals come, and exits with the drain code', async () => {
    const r = await run({ DRAIN: 'finishes' }, ['SIGTERM'], ['SIGINT', 'SIGTERM']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(messages(r), ['listening', 'draining', 'drain started']);
    assert.equal(r.lines[1]?.signal, 'SIGTERM');
  });

  test('SIGINT stops the same way; a drain that reports a failure exits with its code', async () => {
    const r = await run({ DRAIN: 'fails' }, ['SIGINT']);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.lines[1]?.signal, 'SIGINT');
  });

  test('a drain that never ends is cut by SHUTDOWN_TIMEOUT_MS: exit 1 with the timeout logged', async () => {
    const r = await run({ DRAIN: 'hangs', SHUTDOWN_TIMEOUT_MS: '300' }, ['SIGTERM']);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(messages(r), ['listening', 'draining', 'drain started', 'shutdown timed out, exiting']);
    assert.equal(r.lines[3]?.timeoutMs, 300);
  });

  test('a drain that throws exits 1 with its message', async () => {
    const r = await run({ DRAIN: 'rejects' }, ['SIGTERM']);
    assert.equal(r.code, 1, r.stderr);
    const failed = r.lines.find((l) => l.msg === 'shutdown failed');
    assert.equal(failed?.err, 'the dependency is gone');
  });

  test('a bad setting exits 2 before anything starts, naming the setting', async () => {
    const r = await run({ READ_PORT: 'eighty' }, []);
    assert.equal(r.code, 2);
    assert.deepEqual(r.lines, []);
    assert.equal(r.stderr, 'shutdown-process: READ_PORT must be a whole number from 0 to 65535, got "eighty"\n');
  });
});
