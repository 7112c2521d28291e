// Reading a module's options (modules.<name>.options): a bad value stops Herald with the file,
// the key and what was expected.
import type { ModuleContext } from './module.js';

/** A positive integer option, or `fallback` when absent. */
export function positiveIntegerOption(ctx: ModuleContext, key: string, fallback: number): number {
  const value = ctx.options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${ctx.config.sourceFile ?? 'configuration'}: modules.${ctx.name}.options.${key}: expected a positive integer, found ${JSON.stringify(value)}`);
  }
  return value;
}

/** Stops Herald on an option the module does not know (a typo would otherwise be ignored). */
export function rejectUnknownOptions(ctx: ModuleContext, known: readonly string[]): void {
  for (const key of Object.keys(ctx.options)) {
    if (!known.includes(key)) {
      throw new Error(`${ctx.config.sourceFile ?? 'configuration'}: modules.${ctx.name}.options.${key}: expected one of ${known.join(', ')}, found unknown option '${key}'`);
    }
  }
}

/**
 * Whether the configuration leaves another module on (those shipped are on by default). For a
 * module that works through another one's IQs or events without importing it.
 */
export function moduleEnabled(ctx: ModuleContext, name: string): boolean {
  return ctx.config.modules[name]?.enabled ?? true;
}

/** A true/false option, or `fallback` when absent. */
export function booleanOption(ctx: ModuleContext, key: string, fallback: boolean): boolean {
  const value = ctx.options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new Error(`${ctx.config.sourceFile ?? 'configuration'}: modules.${ctx.name}.options.${key}: expected true or false, found ${JSON.stringify(value)}`);
  }
  return value;
}

/** A string option that must match `pattern` (described by `expected`), or undefined when absent. */
export function stringOption(ctx: ModuleContext, key: string, pattern: RegExp, expected: string): string | undefined {
  const value = ctx.options[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new Error(`${ctx.config.sourceFile ?? 'configuration'}: modules.${ctx.name}.options.${key}: expected ${expected}, found ${JSON.stringify(value)}`);
  }
  return value;
}
