/**
 * Argument helpers shared by the command-line tools: node:util parseArgs (strict, so a typo'd flag is an
 * error rather than silently ignored) plus typed, validated getters whose errors name the flag.
 */
import { parseArgs } from 'node:util';

/** A usage error: the tools print its message and the usage text, then exit with status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Option spec as node:util parseArgs takes it. */
export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/** Parsed flags: strings, booleans or undefined. */
export type ParsedFlags = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Parses argv (without node and script) against the spec; unknown flags and stray words are UsageErrors. */
export function parseFlags(argv: readonly string[], spec: OptionSpec): ParsedFlags {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: spec, strict: true, allowPositionals: true });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (options start with --)`);
    return values as ParsedFlags;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(e instanceof Error ? e.message.replace(/^TypeError \[[A-Z_]+\]: /, '') : String(e));
  }
}

/** A string flag, or undefined. */
export function optionalString(flags: ParsedFlags, name: string): string | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new UsageError(`--${name} needs a value`);
  return v;
}

/** A required string flag. */
export function requiredString(flags: ParsedFlags, name: string): string {
  const v = optionalString(flags, name);
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

/** A number flag within [min, max] (integer if asked), or the default. */
export function numberFlag(
  flags: ParsedFlags,
  name: string,
  fallback: number,
  limits?: { min?: number; max?: number; integer?: boolean },
): number;
export function numberFlag(
  flags: ParsedFlags,
  name: string,
  fallback: undefined,
  limits?: { min?: number; max?: number; integer?: boolean },
): number | undefined;
export function numberFlag(
  flags: ParsedFlags,
  name: string,
  fallback: number | undefined,
  limits: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  const s = optionalString(flags, name);
  if (s === undefined) return fallback;
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${name} must be a number, got '${s}'`);
  if (limits.integer && !Number.isInteger(v)) throw new UsageError(`--${name} must be an integer, got '${s}'`);
  if (limits.min !== undefined && v < limits.min) throw new UsageError(`--${name} must be >= ${limits.min}, got ${v}`);
  if (limits.max !== undefined && v > limits.max) throw new UsageError(`--${name} must be <= ${limits.max}, got ${v}`);
  return v;
}

/** A flag restricted to a set of words. */
export function choiceFlag<T extends string>(flags: ParsedFlags, name: string, choices: readonly T[], fallback?: T): T {
  const s = optionalString(flags, name);
  if (s === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required (${choices.join(' | ')})`);
    return fallback;
  }
  if (!(choices as readonly string[]).includes(s)) {
    throw new UsageError(`--${name} must be one of ${choices.join(' | ')}, got '${s}'`);
  }
  return s as T;
}

/**
 * Runs a tool's main function: prints UsageErrors with the usage text (exit 2) and other errors as one
 * line (exit 1), without a stack trace unless DEBUG is set.
 */
export function runMain(usage: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      if (e instanceof UsageError) {
        process.stderr.write(`error: ${e.message}\n\n${usage}\n`);
        process.exit(2);
      }
      process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
      if (process.env.DEBUG && e instanceof Error) process.stderr.write(`${e.stack ?? ''}\n`);
      process.exit(1);
    },
  );
}
