// Scrapes a server's Prometheus endpoint over real HTTP and reads the text format (0.0.4).
import type { ServerProcess } from './server-process.js';
import { httpGet } from './http-plain.js';

export { httpGet };

export interface Scrape {
  /** The value of one series, e.g. `herald_c2s_sessions{transport="tcp"}`; undefined when absent. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Metric names the scrape declares (# TYPE lines). */
  readonly names: Set<string>;
  readonly text: string;
}

export function parseScrape(text: string): Scrape {
  const series = new Map<string, number>();
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) /.exec(line);
    if (type) names.add(type[1]!);
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{.*\})? (\S+)/.exec(line);
    if (match) series.set(`${match[1]}${canonicalLabels(match[2] ?? '')}`, Number(match[3]));
  }
  return {
    names,
    text,
    value: (name, labels = {}) => series.get(`${name}${canonicalLabels(labels)}`),
  };
}

function canonicalLabels(labels: string | Record<string, string>): string {
  const pairs = typeof labels === 'string' ? [...labels.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!] as const) : Object.entries(labels);
  return pairs.length === 0 ? '' : `{${[...pairs].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

export async function scrape(server: ServerProcess, path = '/metrics'): Promise<Scrape> {
  const answer = await httpGet(server.listenerPort('http'), path);
  if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${answer.body}`);
  return parseScrape(answer.body);
}
