#!/usr/bin/env node
// Summarises V8 CPU profiles (from BENCH_CPU_PROF=<dir>): self time by package (or Palaver's own
// source) and the top functions, so that a benchmark's "where does the time go" fits in a README.
//
//   node bench/profile.mjs <file.cpuprofile> [top=25]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile.mjs <file.cpuprofile> [top]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const top = Number(topArg ?? 25);

// Self time per node: samples × the mean interval.
const interval = (profile.endTime - profile.startTime) / Math.max(1, profile.samples.length);
const self = new Map();
for (const id of profile.samples) self.set(id, (self.get(id) ?? 0) + interval);

const where = (url) => {
  if (!url) return '(native, GC, idle)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node core';
  const dist = url.indexOf('/dist/src/');
  return dist >= 0 ? `palaver ${url.slice(dist + '/dist/src/'.length).split('/')[0]}` : url;
};

const byPackage = new Map();
const byFunction = new Map();
let total = 0;
for (const node of profile.nodes) {
  const us = self.get(node.id) ?? 0;
  if (!us) continue;
  total += us;
  const { functionName, url, lineNumber } = node.callFrame;
  const pkg = ['(idle)', '(program)', '(garbage collector)'].includes(functionName) ? functionName : where(url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  const key = `${functionName || '(anonymous)'} ${pkg === functionName ? '' : `${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
}
const busy = total - (byPackage.get('(idle)') ?? 0);
const pct = (us) => `${((us / busy) * 100).toFixed(1)}%`;
const print = (title, map, n) => {
  console.log(`\n${title} (share of busy time, ${(busy / 1e6).toFixed(1)} s busy of ${(total / 1e6).toFixed(1)} s)`);
  for (const [name, us] of [...map].filter(([name]) => name !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`  ${pct(us).padStart(6)}  ${name}`);
};
print('by package', byPackage, 30);
print('by function', byFunction, top);
