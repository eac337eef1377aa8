/**
 * Requests through the cluster's ingress controller (Traefik on 127.0.0.1:18080), addressed to
 * an Ingress by its Host header, as a client resolving the host to that address would be.
 */
import { request } from 'node:http';

export const INGRESS_URL = 'http://127.0.0.1:18080';

export interface IngressResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export function viaIngress(
  host: string,
  method: string,
  path: string,
  body?: string,
  contentType = 'application/json',
  headers: Readonly<Record<string, string>> = {},
  /** Longest silence on the connection (a 500,000-row upload is staged before its answer). */
  idleTimeoutMs = 30_000,
): Promise<IngressResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${INGRESS_URL}${path}`,
      {
        method,
        headers: {
          ...headers,
          host,
          ...(body !== undefined && { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }),
        },
        timeout: idleTimeoutMs,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${host}${path}: no answer in ${idleTimeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}

export async function jsonViaIngress<T>(host: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await viaIngress(host, method, path, body === undefined ? undefined : JSON.stringify(body));
  if (res.status >= 300) throw new Error(`${method} ${host}${path} answered ${res.status}: ${res.body.slice(0, 300)}`);
  return JSON.parse(res.body) as T;
}
