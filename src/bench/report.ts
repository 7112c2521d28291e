// Output: a human table per scenario and one JSON line per scenario (for files and scripts).
import type { ScenarioResult } from './types.js';

/** Rounds for reading: three significant digits, integers as they are. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (Number.isInteger(value) || Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

export function formatTable(result: ScenarioResult): string {
  const params = Object.entries(result.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const rows = Object.entries(result.metrics);
  const width = Math.max(...rows.map(([k]) => k.length), 6);
  return [`${result.scenario} (${params})`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${formatNumber(v).padStart(12)}`)].join('\n');
}

export function jsonLine(result: ScenarioResult, extra: Record<string, unknown> = {}): string {
  const metrics = Object.fromEntries(Object.entries(result.metrics).map(([k, v]) => [k, Number.isFinite(v) ? Number(v.toFixed(3)) : null]));
  const window = result.windowUs ? { window_us: result.windowUs } : {};
  return JSON.stringify({ ...extra, scenario: result.scenario, params: result.params, metrics, ...window });
}
