/**
 * The credential the page sends when the server asks for one: an API key (x-api-key) or a JWT
 * (Authorization: Bearer). It is kept in sessionStorage, so it lasts for the tab and never
 * reaches the disk or the page's HTML. A cookie carries it too, because the model report opens
 * as a plain navigation that cannot set headers; the server accepts that cookie only there.
 */

const STORAGE_KEY = 'loanrisk:credential';
const COOKIE = 'loanrisk_credential';

/** Three dot-separated base64url parts: a JWT, sent as a bearer token. */
const JWT = /^[\w-]+\.[\w-]+\.[\w-]*$/;

type Listener = () => void;
const listeners = new Set<Listener>();

export function readCredential(): string {
  try {
    return sessionStorage.getItem(STORAGE_KEY) ?? '';
  } catch {
    return '';
  }
}

function writeCookie(value: string): void {
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie =
    value === ''
      ? `${COOKIE}=; path=/; max-age=0; SameSite=Strict${secure}`
      : `${COOKIE}=${encodeURIComponent(value)}; path=/; SameSite=Strict${secure}`;
}

export function saveCredential(value: string): void {
  const trimmed = value.trim();
  if (trimmed === '') sessionStorage.removeItem(STORAGE_KEY);
  else sessionStorage.setItem(STORAGE_KEY, trimmed);
  writeCookie(trimmed);
  for (const listener of listeners) listener();
}

/** The headers that carry the credential, none without one. */
export function credentialHeaders(): Record<string, string> {
  const value = readCredential();
  if (value === '') return {};
  return JWT.test(value) ? { authorization: `Bearer ${value}` } : { 'x-api-key': value };
}

export function onCredentialChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A session cookie does not outlive the browser, sessionStorage not the tab: put back the one the tab still has. */
export function restoreCredentialCookie(): void {
  const value = readCredential();
  if (value !== '') writeCookie(value);
}
