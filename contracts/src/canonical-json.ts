/**
 * JSON with object keys sorted (by UTF-16 code unit, not the locale) and undefined members left
 * out, so equal values give equal text: the input of content hashes (the trainer's model version,
 * the operator's training Job name) and of the operator's "did the status change" test.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
