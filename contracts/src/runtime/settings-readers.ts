/**
 * Typed readers of settings given as text (environment variables, command-line options). Unset
 * and empty both mean "use the default", as a Deployment's `value: ""` does; anything else must
 * parse, or a ConfigError names the setting, the value and what is allowed.
 */
import { ConfigError } from './config-error.js';

/** Settings by name: process.env, or a command line's options keyed as the user writes them. */
export type Settings = Readonly<Record<string, string | undefined>>;

/** Inclusive bounds; either may be left out. */
export interface IntegerBounds {
  readonly min?: number;
  readonly max?: number;
}

/** The setting's text, or undefined when unset or empty. */
export function readText(settings: Settings, name: string): string | undefined {
  const text = settings[name];
  return text === undefined || text === '' ? undefined : text;
}

/** A setting that must be present (not empty). */
export function requireText(settings: Settings, name: string, allowed: string): string {
  const text = readText(settings, name);
  if (text === undefined) throw new ConfigError(name, allowed);
  return text;
}

/** A whole number within bounds, or the fallback (which may lie outside them, e.g. undefined). */
export function readInteger<F extends number | undefined>(
  settings: Settings,
  name: string,
  fallback: F,
  { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER }: IntegerBounds = {},
): number | F {
  const text = readText(settings, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(name, wholeRange(min, max), text);
  return value;
}

function wholeRange(min: number, max: number): string {
  const lowest = min > Number.MIN_SAFE_INTEGER;
  const highest = max < Number.MAX_SAFE_INTEGER;
  if (lowest && highest) return `a whole number from ${min} to ${max}`;
  if (lowest) return `a whole number of at least ${min}`;
  return highest ? `a whole number of at most ${max}` : 'a whole number';
}

/** A finite number within bounds; `exclusiveMin` refuses the lower bound itself (a positive number). */
export function readNumber(
  settings: Settings,
  name: string,
  fallback: number,
  bounds: { readonly min: number; readonly max?: number; readonly exclusiveMin?: boolean },
): number {
  const text = readText(settings, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  const max = bounds.max ?? Infinity;
  const aboveMin = bounds.exclusiveMin ? value > bounds.min : value >= bounds.min;
  if (!Number.isFinite(value) || !aboveMin || value > max) throw new ConfigError(name, numberRange(bounds), text);
  return value;
}

function numberRange(bounds: { readonly min: number; readonly max?: number; readonly exclusiveMin?: boolean }): string {
  if (bounds.max !== undefined) return `a number from ${bounds.min} to ${bounds.max}`;
  return bounds.exclusiveMin ? `a number above ${bounds.min}` : `a number of at least ${bounds.min}`;
}

/** `true` or `false`, nothing else (a typo must not silently mean either). */
export function readFlag(settings: Settings, name: string, fallback: boolean): boolean {
  const text = readText(settings, name);
  if (text === undefined) return fallback;
  if (text !== 'true' && text !== 'false') throw new ConfigError(name, 'true or false', text);
  return text === 'true';
}

/** One of the allowed words. */
export function readChoice<T extends string>(settings: Settings, name: string, choices: readonly T[], fallback: T): T {
  const text = readText(settings, name);
  if (text === undefined) return fallback;
  if (!isChoice(text, choices)) throw new ConfigError(name, `one of ${choiceList(choices)}`, text);
  return text;
}

/** A comma-separated list of allowed words, without repeats; unset gives the fallback. */
export function readChoiceList<T extends string>(
  settings: Settings,
  name: string,
  choices: readonly T[],
  fallback: readonly T[],
): T[] {
  const text = readText(settings, name);
  if (text === undefined) return [...fallback];
  const words = text
    .split(',')
    .map((word) => word.trim())
    .filter(Boolean);
  if (words.length === 0 || !words.every((word) => isChoice(word, choices)))
    throw new ConfigError(name, `a comma-separated list of ${choiceList(choices)}`, text);
  return [...new Set(words)];
}

function isChoice<T extends string>(text: string, choices: readonly T[]): text is T {
  return (choices as readonly string[]).includes(text);
}

function choiceList(choices: readonly string[]): string {
  return choices.length < 2 ? choices.join('') : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1) ?? ''}`;
}
