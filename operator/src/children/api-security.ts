/**
 * The API container's part of `spec.serving.auth` and `spec.serving.rateLimit`: the environment
 * the API reads (contracts/src/api-security.ts) and the API keys Secret as a volume. The Secret is
 * mounted whole (never with subPath), so the kubelet's updates reach the running pods and the API
 * reloads the keys without a restart.
 */
import type { V1EnvVar, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import {
  API_KEYS_FILE_NAME,
  API_KEYS_MOUNT,
  AUTH_ENV,
  RATE_LIMIT_DEFAULTS,
  RATE_LIMIT_ENV,
  type ServingSpec,
} from '@peerloan/contracts';

const API_KEYS_VOLUME = 'api-keys';

export function securityEnv(serving: ServingSpec): V1EnvVar[] {
  const { auth, rateLimit } = serving;
  const env: V1EnvVar[] = [];
  if (auth?.jwt) {
    env.push(
      { name: AUTH_ENV.jwksUrl, value: auth.jwt.jwksUrl },
      { name: AUTH_ENV.issuer, value: auth.jwt.issuer },
      { name: AUTH_ENV.audience, value: auth.jwt.audience },
    );
  }
  if (auth?.apiKeysSecret) env.push({ name: AUTH_ENV.apiKeysFile, value: `${API_KEYS_MOUNT}/${API_KEYS_FILE_NAME}` });
  if (rateLimit?.requests !== undefined) env.push({ name: RATE_LIMIT_ENV.requests, value: String(rateLimit.requests) });
  if (rateLimit?.rows !== undefined) env.push({ name: RATE_LIMIT_ENV.rows, value: String(rateLimit.rows) });
  if (rateLimit)
    env.push({
      name: RATE_LIMIT_ENV.windowSeconds,
      value: String(rateLimit.windowSeconds ?? RATE_LIMIT_DEFAULTS.windowSeconds),
    });
  return env;
}

export function apiKeysVolumes(serving: ServingSpec): V1Volume[] {
  const secret = serving.auth?.apiKeysSecret;
  if (!secret) return [];
  return [
    {
      name: API_KEYS_VOLUME,
      secret: { secretName: secret.name, items: [{ key: secret.key ?? API_KEYS_FILE_NAME, path: API_KEYS_FILE_NAME }] },
    },
  ];
}

export function apiKeysMounts(serving: ServingSpec): V1VolumeMount[] {
  return serving.auth?.apiKeysSecret ? [{ name: API_KEYS_VOLUME, mountPath: API_KEYS_MOUNT, readOnly: true }] : [];
}
