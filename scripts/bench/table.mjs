// The side-by-side table every bench script prints: one row per scenario metric, one column per
// server (median, min–max over rounds) and a Herald/peer ratio beside each peer.
import { formatNumber } from '../../dist/bench/report.js';
import { median } from '../../dist/bench/percentiles.js';

/** Markdown table from JSON lines `{ server, scenario, metrics }`, servers in the given order. */
export function renderTable(lines, servers) {
  const present = servers.filter((s) => lines.some((l) => l.server === s));
  const keys = [];
  for (const l of lines) for (const m of Object.keys(l.metrics)) if (!keys.some((k) => k[0] === l.scenario && k[1] === m)) keys.push([l.scenario, m]);
  const header = ['scenario', 'metric', ...present.flatMap((s) => (s === 'herald' ? ['herald'] : [s, `herald/${s}`]))];
  const rows = keys.map(([scenario, metric]) => {
    const values = (s) => lines.filter((l) => l.server === s && l.scenario === scenario).map((l) => l.metrics[metric] ?? Number.NaN);
    const cell = (v) => (v.length === 0 ? '–' : v.length === 1 ? formatNumber(v[0]) : `${formatNumber(median(v))} (${formatNumber(Math.min(...v))}–${formatNumber(Math.max(...v))})`);
    const heraldMedian = median(values('herald'));
    return [
      scenario,
      metric,
      ...present.flatMap((s) => {
        if (s === 'herald') return [cell(values(s))];
        const ratio = heraldMedian / median(values(s));
        return [cell(values(s)), Number.isFinite(ratio) ? ratio.toFixed(2) : '–'];
      }),
    ];
  });
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}
