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

/** `rounds` runs of each side, alternating which goes first (drift hits both alike). */
export async function alternate(rounds, runApp, runBaseline) {
  const appRuns = [];
  const baselineRuns = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [[runApp, appRuns], [runBaseline, baselineRuns]] : [[runBaseline, baselineRuns], [runApp, appRuns]];
    for (const [run, runs] of order) runs.push(await run());
  }
  return { appRuns, baselineRuns };
}

/** The run whose `key` is the median (the lower middle one for an even count). */
export function medianRun(runs, key) {
  const sorted = [...runs].sort((a, b) => a[key] - b[key]);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * Peak throughput of the app against its baseline: a warm-up of each, then `rounds` measured runs
 * that alternate which goes first; the median of each side.
 */
export async function compareRps({ app, baseline, settings, connections = 10 }) {
  const run = (target, duration) => cannon({ ...target, connections, duration });
  await run(app, settings.warmup);
  await run(baseline, settings.warmup);
  const { appRuns, baselineRuns } = await alternate(settings.rounds, () => run(app, settings.duration), () => run(baseline, settings.duration));
  return { app: medianRun(appRuns, 'rps'), baseline: medianRun(baselineRuns, 'rps'), appRuns: appRuns.map((r) => r.rps), baselineRuns: baselineRuns.map((r) => r.rps) };
}
