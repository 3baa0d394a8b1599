import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const PROBE = fileURLToPath(new URL('./probe.mjs', import.meta.url));
const HAS_TASKSET = existsSync('/usr/bin/taskset');
const HAS_TIME = existsSync('/usr/bin/time');
const CPUS = availableParallelism();
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** Servers run on CPU 0, the load generators (this process and its clients) on the others. */
export const SERVER_CPUS = '0';
export const CLIENT_CPUS = CPUS > 1 ? `1-${CPUS - 1}` : '0';

export function pinSelf() {
  if (!HAS_TASKSET || CPUS < 2) return false;
  try {
    execFileSync('taskset', ['-a', '-cp', CLIENT_CPUS, String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function httpReady(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Starts a Node server pinned to the server CPU under `/usr/bin/time -v` (for its peak RSS) with
 * the memory probe preloaded, and waits until `readyPath` answers 200.
 */
export async function startServer({ name, script, args = [], nodeArgs: extraNodeArgs = [], env = {}, port, readyPath = '/health', cpus = SERVER_CPUS, timeoutMs = 90_000 }) {
  const nodeArgs = ['--expose-gc', ...extraNodeArgs, '--import', PROBE, script, ...args];
  let command = process.execPath;
  let commandArgs = nodeArgs;
  if (HAS_TIME) [command, commandArgs] = ['/usr/bin/time', ['-v', process.execPath, ...nodeArgs]];
  if (HAS_TASKSET && CPUS > 1) [command, commandArgs] = ['taskset', ['-c', cpus, command, ...commandArgs]];
  const child = spawn(command, commandArgs, {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let nodePid = null;
  const pending = new Map();
  let nextId = 1;
  child.on('message', (message) => {
    if (message?.type === 'hello') nodePid = message.pid;
    if (message?.type === 'memory') {
      pending.get(message.id)?.(message.usage);
      pending.delete(message.id);
    }
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (!(await httpReady(url + readyPath))) {
    if (exitedEarly) throw new Error(`${name} exited before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} was not ready within ${timeoutMs} ms:\n${output}`);
    }
    await delay(200);
  }

  return {
    name,
    url,
    port,
    output: () => output,
    /** CPU time (user + system) the server has used so far, in seconds (Linux /proc). */
    cpuSeconds() {
      try {
        const fields = readFileSync(`/proc/${nodePid}/stat`, 'utf8').split(') ')[1].split(' ');
        return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
      } catch {
        return null;
      }
    },
    /** `process.memoryUsage()` of the server, after two full GCs when `gc` is true. */
    memory(gc = true) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} did not answer the memory probe`)), 30_000);
        pending.set(id, (usage) => {
          clearTimeout(timer);
          resolve(usage);
        });
        child.send({ type: 'memory', id, gc });
      });
    },
    /** SIGTERM to the Node process itself (not to `time`), then its peak RSS in bytes. */
    async stop() {
      if (!exitedEarly) {
        if (nodePid) process.kill(nodePid, 'SIGTERM');
        else child.kill('SIGTERM');
        const timer = setTimeout(() => {
          if (nodePid) {
            try {
              process.kill(nodePid, 'SIGKILL');
            } catch {
              /* already gone */
            }
          }
          child.kill('SIGKILL');
        }, 15_000);
        await exited;
        clearTimeout(timer);
      }
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(output);
      return { maxRssBytes: rss ? Number(rss[1]) * 1024 : null };
    },
  };
}

/** Runs a Node script pinned to `cpus` and returns the JSON it prints last. */
export function runJson(script, args, { cpus = SERVER_CPUS, env = {} } = {}) {
  let command = process.execPath;
  let commandArgs = [script, ...args];
  if (HAS_TASKSET && CPUS > 1) [command, commandArgs] = ['taskset', ['-c', cpus, command, ...commandArgs]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}:\n${stderr}`));
      const lines = stdout.trim().split('\n');
      resolve(JSON.parse(lines[lines.length - 1]));
    });
  });
}
