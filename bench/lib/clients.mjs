import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../clients/realtime-client.mjs', import.meta.url));

/** A client process (it inherits this process's CPU affinity: the load generator's cores). */
export function clientProcess() {
  const child = fork(SCRIPT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map();
  let nextId = 1;
  child.on('message', ({ id, result, error }) => {
    const waiter = pending.get(id);
    pending.delete(id);
    if (error) waiter?.reject(new Error(error));
    else waiter?.resolve(result);
  });
  child.once('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`client process exited with ${code}`));
  });
  const call = (command, args = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, command, args });
    });
  return {
    call,
    async exit() {
      await call('close').catch(() => {});
      child.kill();
    },
  };
}

/** Deliveries and send→receive latency percentiles over all receiver processes. */
export async function collect(procs) {
  const reports = await Promise.all(procs.map((p) => p.call('report')));
  const merged = new Map();
  let deliveries = 0;
  let errors = 0;
  let lastDeliveryAt = 0;
  for (const r of reports) {
    deliveries += r.deliveries;
    errors += r.errors;
    lastDeliveryAt = Math.max(lastDeliveryAt, r.lastDeliveryAt);
    for (const [bucket, count] of r.buckets) merged.set(bucket, (merged.get(bucket) ?? 0) + count);
  }
  const bucketMs = reports[0]?.bucketMs ?? 0.01;
  const sorted = [...merged.entries()].sort((a, b) => a[0] - b[0]);
  const at = (p) => {
    const target = Math.ceil((p / 100) * deliveries);
    let seen = 0;
    for (const [bucket, count] of sorted) {
      seen += count;
      if (seen >= target) return bucket * bucketMs;
    }
    return null;
  };
  return { deliveries, errors, lastDeliveryAt, latency: deliveries ? { p50: at(50), p90: at(90), p99: at(99), max: at(100) } : null };
}
