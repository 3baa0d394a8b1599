#!/usr/bin/env node
// Palaver benchmarks: the real app (built, NODE_ENV=production, PostgreSQL, Redis where needed)
// side by side with a bare baseline doing the same work, in the same run.
//
//   npm run bench                 all scenarios
//   npm run bench -- history      one (or several) by name
//   npm run bench -- --smoke      tiny sizes, about a minute: keeps the harness working (CI)
//
// Writes bench/results/<date>.json and .md. Environment: BENCH_DATABASE_URL (admin connection,
// default postgres://postgres@127.0.0.1:5432/postgres; a fresh database is created and dropped),
// REDIS_URL (default redis://127.0.0.1:6379; scenario 7 is skipped without Redis), BENCH_CPU_PROF
// (a directory: the app's servers write V8 CPU profiles there), BENCH_NODE=current (run on this
// Node instead of Node 24, the runtime the image ships, which is fetched when missing).
//
// A full run also writes bench/results/latest.json and latest.md (committed with the change that
// moved the figures), each figure beside the previous full run's.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createClient } from 'redis';
import { freePort, pinSelf, startServer } from './lib/processes.mjs';
import { compareWith, renderMarkdown } from './lib/report.mjs';
import { node24 } from '../scripts/node24.mjs';
import { seed } from './seed.mjs';
import { accessToken } from './lib/tokens.mjs';
import { scenarios } from './scenarios/index.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const only = args.filter((a) => !a.startsWith('--'));

const SETTINGS = smoke
  ? { smoke, warmup: 0.5, duration: 1, rounds: 1, connections: 10, history: 3_000, deep: 1_000, newer: 300, whole: 1_000, inbox: 1_000, fanMembers: 10, idleConnections: 50, clientProcesses: 1 }
  : { smoke, warmup: 3, duration: 8, rounds: 3, connections: 10, history: 1_000_000, deep: 100_000, newer: 100_000, whole: 10_000, inbox: 1_000, fanMembers: 100, idleConnections: 10_000, clientProcesses: 2 };

const unknown = only.filter((name) => !scenarios.some((s) => s.name === name));
if (unknown.length) {
  console.error(`unknown scenario ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const selected = only.length ? scenarios.filter((s) => only.includes(s.name)) : scenarios;

const log = (line) => console.log(`[bench] ${line}`);

async function redisAvailable(url) {
  const client = createClient({ url, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    await client.close?.().catch?.(() => {});
  }
}

async function main() {
  if (process.env.BENCH_NODE !== 'current' && process.versions.node.split('.')[0] !== '24') {
    // Every process of the run (servers, baselines, load) inherits process.execPath.
    const run = spawnSync(node24(), process.argv.slice(1), { stdio: 'inherit' });
    process.exit(run.status ?? 1);
  }
  const pinned = pinSelf();
  log(`${smoke ? 'smoke run' : 'full run'}: ${selected.map((s) => s.name).join(', ')}${pinned ? ' (servers on CPU 0, load on the rest)' : ''}`);
  execFileSync(process.execPath, [`${root}/scripts/build-if-needed.mjs`], { stdio: 'inherit', cwd: root });

  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `palaver_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const pgVersion = (await admin.query('SHOW server_version')).rows[0].server_version;
  await admin.query(`CREATE DATABASE ${dbName}`);
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const hasRedis = await redisAvailable(redisUrl);

  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    JWT_SECRET: 'bench-secret-0123456789abcdef0123456789abcdef',
    MEDIA_DIR: `${os.tmpdir()}/palaver-bench-media-${process.pid}`,
    // Benchmarks send far faster than a person; the limits are configuration, not code.
    DB_POOL_SIZE: process.env.DB_POOL_SIZE ?? '10',
    MESSAGE_BURST: '1000000',
    MESSAGES_PER_MINUTE: '100000000',
    CONVERSATION_BURST: '1000000',
    CONVERSATIONS_PER_HOUR: '100000000',
    WS_MAX_CONNECTIONS_PER_USER: '100',
    // Scenario 9 logs one account in from 16 connections at once: every attempt is reserved
    // before its password is checked, so in-flight attempts count against the throttle.
    LOGIN_MAX_FAILURES_PER_ACCOUNT: '100000',
    LOGIN_MAX_FAILURES_PER_IP: '100000',
  };
  delete process.env.REDIS_URL;

  const servers = [];
  const ctx = {
    settings: SETTINGS,
    env,
    root,
    log,
    databaseUrl,
    redisUrl: hasRedis ? redisUrl : null,
    /** Starts a server that is stopped at the end of the run (or by the scenario). */
    async start(name, script, extraEnv = {}, readyPath = '/health') {
      // BENCH_CPU_PROF=<dir>: CPU profiles of the app's processes (not the baselines') for DevTools.
      const nodeArgs = process.env.BENCH_CPU_PROF && script.startsWith('dist/') ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
      const server = await startServer({ name, script: `${root}/${script}`, nodeArgs, env: { ...env, ...extraEnv }, port: await freePort(), readyPath });
      servers.push(server);
      const stop = server.stop;
      server.stop = async () => {
        servers.splice(servers.indexOf(server), 1);
        return stop();
      };
      return server;
    },
  };

  const results = [];
  let failed = false;
  try {
    log(`database ${dbName} on PostgreSQL ${pgVersion}: migrating (first app start) and seeding`);
    const migrator = await ctx.start('app (migrations)', 'dist/src/main.js');
    await migrator.stop();
    const started = Date.now();
    ctx.seed = await seed(databaseUrl, { history: SETTINGS.history, newer: SETTINGS.newer, whole: SETTINGS.whole, inbox: SETTINGS.inbox, fanMembers: SETTINGS.fanMembers, idleConnections: SETTINGS.idleConnections }, log);
    log(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    ctx.token = (userId) => accessToken(env, userId, ctx.seed.sessions[userId]);

    for (const scenario of selected) {
      log(`scenario ${scenario.id} ${scenario.name}: ${scenario.title}`);
      const begun = Date.now();
      try {
        const rows = await scenario.run(ctx);
        for (const row of rows) {
          results.push({ id: scenario.id, name: scenario.name, ...row });
          log(`  ${row.metric}: app ${row.app ?? '-'} ${row.unit}, baseline ${row.baseline ?? '-'} → ${row.ratio ?? row.app} (goal ${row.goal}) ${row.met === null ? 'skipped' : row.met ? 'met' : 'NOT met'}`);
        }
      } catch (error) {
        failed = true;
        results.push({ id: scenario.id, name: scenario.name, metric: 'error', error: String(error.stack ?? error), met: false });
        log(`  FAILED: ${error.stack ?? error}`);
        for (const server of servers) log(`  last output of ${server.name}:\n${server.output().slice(-3000)}`);
      } finally {
        for (const server of [...servers]) await server.stop();
      }
      log(`  (${((Date.now() - begun) / 1000).toFixed(0)} s)`);
    }
  } finally {
    for (const server of [...servers]) await server.stop().catch(() => {});
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin.end();
  }

  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: pgVersion,
    pinned,
  };
  const latest = `${root}/bench/results/latest`;
  const previous = existsSync(`${latest}.json`) ? JSON.parse(readFileSync(`${latest}.json`, 'utf8')) : null;
  const complete = !smoke && only.length === 0;
  const report = { date: new Date().toISOString(), mode: smoke ? 'smoke' : 'full', settings: SETTINGS, machine, results: compareWith(results, previous), previous: previous?.date ?? null };
  mkdirSync(`${root}/bench/results`, { recursive: true });
  const stamp = report.date.slice(0, 19).replace(/:/g, '-');
  const base = `${root}/bench/results/${stamp}${smoke ? '-smoke' : ''}`;
  writeFileSync(`${base}.json`, JSON.stringify(report, null, 2) + '\n');
  const markdown = renderMarkdown(report);
  writeFileSync(`${base}.md`, markdown);
  console.log('\n' + markdown);
  log(`wrote ${base}.json and .md`);
  if (complete) {
    writeFileSync(`${latest}.json`, JSON.stringify(report, null, 2) + '\n');
    writeFileSync(`${latest}.md`, markdown);
    log('and bench/results/latest.json and latest.md (commit them with the change that moved them)');
  }
  // A smoke run checks that the harness works, not the figures; a failed scenario fails either.
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
