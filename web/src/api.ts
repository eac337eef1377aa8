/**
 * Requests to the API, relative to the page (it may be served under a path prefix), with the
 * credential on each. A 401 or 403 asks the person for a key (the credential dialog) and tries
 * again with it; every other failure becomes an ApiError carrying the server's error body.
 */
import type { ErrorBody } from './contract.js';
import { credentialHeaders } from './credential.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.error);
    this.name = 'ApiError';
  }
}

/** What the credential dialog is asked: why a key is needed. */
export interface CredentialRequest {
  readonly status: number;
  readonly message: string;
}

type Gate = (request: CredentialRequest) => Promise<boolean>;

let gate: Gate = () => Promise.resolve(false);
let waiting: Promise<boolean> | undefined;

/** The dialog registers itself here; until it does, a 401 is an error like any other. */
export function setCredentialGate(next: Gate): void {
  gate = next;
}

/** Asks once for all the requests refused at the same time; true when a new credential was given. */
export function askForCredential(request: CredentialRequest): Promise<boolean> {
  waiting ??= gate(request).finally(() => {
    waiting = undefined;
  });
  return waiting;
}

export function isAuthStatus(status: number): boolean {
  return status === 401 || status === 403;
}

/** The error body of a failed answer; a proxy's HTML page becomes a sentence about its status. */
export function errorBodyOf(status: number, text: string): ErrorBody {
  try {
    const body = JSON.parse(text) as Partial<ErrorBody>;
    if (typeof body.error === 'string')
      return { error: body.error, details: Array.isArray(body.details) ? body.details : [] };
  } catch {
    // not JSON: described by its status below
  }
  return { error: `the server answered ${status}`, details: [] };
}

export const CONNECTION_LOST = 'the server did not answer: check the connection and try again';

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** fetch with the credential; asks for one on 401/403 and tries again while the person gives one. */
export async function request(path: string, init: RequestOptions = {}): Promise<Response> {
  for (;;) {
    let res: Response;
    try {
      res = await fetch(path, {
        ...init,
        headers: { accept: 'application/json', ...init.headers, ...credentialHeaders() },
      });
    } catch {
      throw new ApiError(0, { error: CONNECTION_LOST, details: [] });
    }
    if (res.ok) return res;
    const body = errorBodyOf(res.status, await res.text());
    if (isAuthStatus(res.status) && (await askForCredential({ status: res.status, message: body.error }))) continue;
    throw new ApiError(res.status, body);
  }
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await request(path)).json()) as T;
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const res = await request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as T;
}
