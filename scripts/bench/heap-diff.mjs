#!/usr/bin/env node
// Where a session's JS heap goes: compares two V8 heap snapshots (e.g. from
// scripts/bench/scale-marginal.mjs --snapshot, N and 2N idle sessions) node by node, grouped by
// node type, class name and — so that an array or closure says whose it is — the property path
// of its first two retainers, and prints the difference ÷ N in bytes per session. Usage:
//   node scripts/bench/heap-diff.mjs BEFORE.heapsnapshot AFTER.heapsnapshot SESSIONS [--top 60]
import fs from 'node:fs';

const [beforeFile, afterFile, sessionsText] = process.argv.slice(2);
const top = process.argv.includes('--top') ? Number(process.argv[process.argv.indexOf('--top') + 1]) : 60;
const sessions = Number(sessionsText);

/** Self size and count per group key for one snapshot. */
function groups(file) {
  const snap = JSON.parse(fs.readFileSync(file, 'utf8'));
  const { node_fields: nf, edge_fields: ef, node_types: [nodeTypes], edge_types: [edgeTypes] } = snap.snapshot.meta;
  const { nodes, edges, strings } = snap;
  const N = nf.length;
  const E = ef.length;
  const [fType, fName, fSize, fEdges] = ['type', 'name', 'self_size', 'edge_count'].map((f) => nf.indexOf(f));
  const [eType, eName, eTo] = ['type', 'name_or_index', 'to_node'].map((f) => ef.indexOf(f));
  const count = nodes.length / N;
  // First strong retainer of each node: the retaining node's index and the edge's label.
  const retainer = new Int32Array(count).fill(-1);
  const retainerEdge = new Array(count);
  let edge = 0;
  for (let n = 0; n < count; n++) {
    const edgeCount = nodes[n * N + fEdges];
    for (let k = 0; k < edgeCount; k++, edge += E) {
      const type = edgeTypes[edges[edge + eType]];
      if (type === 'weak' || type === 'shortcut') continue;
      const to = edges[edge + eTo] / N;
      if (retainer[to] !== -1) continue;
      retainer[to] = n;
      const name = edges[edge + eName];
      retainerEdge[to] = type === 'element' || type === 'hidden' ? `[${type}]` : String(strings[name]);
    }
  }
  const typeOf = (n) => nodeTypes[nodes[n * N + fType]];
  const className = (n) => {
    const type = typeOf(n);
    const name = strings[nodes[n * N + fName]];
    if (type === 'object' || type === 'closure' || type === 'native') return `${type}:${name.slice(0, 40)}`;
    if (type === 'hidden' || type === 'array' || type === 'object shape') return `${type}:${name.slice(0, 40)}`;
    return type;
  };
  const owner = (n) => (retainer[n] === -1 ? '' : `${className(retainer[n])}.${retainerEdge[n]}`);
  const result = new Map();
  for (let n = 0; n < count; n++) {
    const type = typeOf(n);
    let key = className(n);
    // Containers and code say whose they are: two retainers up.
    if (type === 'array' || type === 'closure' || type === 'hidden' || type === 'object shape' || key === 'object:Array' || key === 'object:Object') {
      const up = retainer[n];
      key += ` ← ${owner(n)}${up >= 0 && retainer[up] >= 0 ? ` ← ${owner(up)}` : ''}`;
    }
    const entry = result.get(key) ?? { size: 0, count: 0 };
    entry.size += nodes[n * N + fSize];
    entry.count += 1;
    result.set(key, entry);
  }
  return result;
}

const before = groups(beforeFile);
const after = groups(afterFile);
const rows = [];
for (const key of new Set([...before.keys(), ...after.keys()])) {
  const b = before.get(key) ?? { size: 0, count: 0 };
  const a = after.get(key) ?? { size: 0, count: 0 };
  rows.push({ key, bytes: (a.size - b.size) / sessions, count: (a.count - b.count) / sessions });
}
rows.sort((x, y) => y.bytes - x.bytes);
const total = rows.reduce((s, r) => s + r.bytes, 0);
console.log(`JS heap difference: ${total.toFixed(0)} bytes per session over ${sessions} sessions`);
for (const r of rows.slice(0, top)) console.log(`${r.bytes.toFixed(0).padStart(7)} B  ${r.count.toFixed(2).padStart(6)}×  ${r.key}`);
