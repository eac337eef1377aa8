/** Numbers, sizes, times and dates as the page shows them (en-US, like the money). */

const LOCALE = 'en-US';

export function count(n: number): string {
  return n.toLocaleString(LOCALE);
}

/** A probability or share as a percentage: 0.1234 -> '12.3 %'. */
export function percent(p: number, digits = 1): string {
  return `${(p * 100).toLocaleString(LOCALE, { minimumFractionDigits: digits, maximumFractionDigits: digits })} %`;
}

export function decimal(n: number, digits = 3): string {
  return n.toLocaleString(LOCALE, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toLocaleString(LOCALE, { maximumFractionDigits: value < 10 ? 1 : 0 })} ${units[unit]}`;
}

/** A time left: 'about 4 s', 'about 3 min', 'about 1 h 20 min'. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'working it out';
  if (seconds < 1) return 'less than a second';
  if (seconds < 60) return `about ${Math.ceil(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function dateTime(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(LOCALE, { dateStyle: 'medium', timeStyle: 'short' });
}

export function shortDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(LOCALE, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}
