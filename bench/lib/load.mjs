import autocannon from 'autocannon';

/** One autocannon run; throws when any request failed, so a broken target never counts as fast. */
export function cannon(options, { allowNon2xx = false } = {}) {
  return new Promise((resolve, reject) => {
    autocannon({ connections: 10, pipelining: 1, ...options }, (error, result) => {
      if (error) return reject(error);
      const failed = result.errors + result.timeouts + (allowNon2xx ? 0 : result.non2xx);
      if (failed > 0) {
        const codes = Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => `${code}×${count}`).join(' ');
        return reject(new Error(`${options.title ?? options.url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx (${codes})`));
      }
      resolve({
        rps: result.requests.average,
        requests: result.totalCompletedRequests,
        latency: { mean: result.latency.mean, p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
      });
    });
  });
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Peak throughput of the app against its baseline: a warm-up of each, then `rounds` measured runs
 * that alternate which goes first; the median of each side.
 */
export async function compareRps({ app, baseline, settings, connections = 10 }) {
  const run = (target, duration) => cannon({ ...target, connections, duration });
  await run(app, settings.warmup);
  await run(baseline, settings.warmup);
  const appRuns = [];
  const baseRuns = [];
  for (let round = 0; round < settings.rounds; round++) {
    const order = round % 2 === 0 ? [[app, appRuns], [baseline, baseRuns]] : [[baseline, baseRuns], [app, appRuns]];
    for (const [target, runs] of order) runs.push(await run(target, settings.duration));
  }
  const pick = (runs) => runs.find((r) => r.rps === median(runs.map((x) => x.rps))) ?? runs[0];
  return { app: pick(appRuns), baseline: pick(baseRuns), appRuns: appRuns.map((r) => r.rps), baselineRuns: baseRuns.map((r) => r.rps) };
}
