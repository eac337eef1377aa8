/** HTTP calls the tests make to the real API and worker processes, and polling for what they expose. */
import assert from 'node:assert/strict';

/** An answer whose body is `T`, which the caller states (unchecked; the default `unknown` makes it read through casts). */
export interface JsonResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** Sends a request and parses the answer as JSON (failing loudly if it is not JSON). */
export async function call<T = unknown>(url: string, init: RequestInit = {}): Promise<JsonResponse<T>> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${init.method ?? 'GET'} ${url} answered ${res.status} with non-JSON: ${text.slice(0, 200)}`);
  }
  return { status: res.status, headers: res.headers, body: body as T };
}

export function postJson<T = unknown>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  return call<T>(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** The `error` message of an error answer; fails the test when the answer has none. */
export function errorOf(res: JsonResponse): string {
  const { error } = res.body as { error?: unknown };
  assert.ok(typeof error === 'string', `expected an error message in ${JSON.stringify(res.body)}`);
  return error;
}

/** Polls until `check` holds; fails with `what` if it never does (a hang guard, not a speed test). */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  attempts = 1000,
): Promise<void> {
  for (let i = 0; i < attempts; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`never happened: ${what}`);
}

/** The value of one sample line of /metrics, e.g. `loanrisk_model_swaps_total`, or 0 when absent. */
export async function metricValue(baseUrl: string, sample: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}
