const format = (value) => (value === null || value === undefined ? '–' : typeof value === 'number' ? (Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en') : String(value)) : String(value));

/** The figure a row is judged by: its ratio to the baseline, or its own value when it has none. */
const figureOf = (row) => (typeof row.ratio === 'number' ? row.ratio : typeof row.app === 'number' ? row.app : null);

/**
 * The rows with the previous full run's figure of the same scenario and metric beside them
 * (`previous`), and the change in percent (`change`; whether up is good depends on the metric).
 */
export function compareWith(results, previous) {
  // Rates and run lists in a metric's name change from run to run ("p99 at 474 msg/s"): not its identity.
  const key = (row) => `${row.id}/${row.metric.replace(/\([^)]*\)/g, '').replace(/\d[\d,.]*/g, '#')}`;
  const before = new Map((previous?.results ?? []).map((row) => [key(row), figureOf(row)]));
  return results.map((row) => {
    const then = before.get(key(row));
    const now = figureOf(row);
    if (typeof then !== 'number' || now === null || then === 0) return row;
    return { ...row, previous: then, change: Math.round((now / then - 1) * 1000) / 10 };
  });
}

/** The Markdown table of a run, as pasted into the README. */
export function renderMarkdown(report) {
  const m = report.machine;
  const lines = [
    `Palaver benchmarks, ${report.mode} run of ${report.date.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, ${m.kernel}; Node ${m.node}; PostgreSQL ${m.postgres}; ${m.pinned ? 'servers pinned to CPU 0, load generators to the others' : 'not pinned'}.`,
    report.previous ? `\n"previous": the figure (ratio, or value) of the full run of ${report.previous.slice(0, 16).replace('T', ' ')} UTC, and the change.\n` : '',
    '| # | scenario | metric | app | baseline | ratio | goal | met | previous |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of report.results) {
    if (r.metric === 'error') {
      lines.push(`| ${r.id} | ${r.name} | error | – | – | – | – | no: ${String(r.error).split('\n')[0].replace(/\|/g, '/')} | – |`);
      continue;
    }
    const unit = r.unit ? ` ${r.unit}` : '';
    lines.push(
      `| ${r.id} | ${r.name} | ${r.metric} | ${format(r.app)}${r.app === null || r.app === undefined ? '' : unit} | ${format(r.baseline)}${r.baseline === null || r.baseline === undefined ? '' : unit} | ${format(r.ratio)} | ${r.goal} | ${r.met === null ? (r.note ? `skipped: ${r.note}` : '–') : r.met ? 'yes' : 'no'} | ${r.previous === undefined ? '–' : `${format(r.previous)} (${r.change > 0 ? '+' : ''}${r.change}%)`} |`,
    );
  }
  return lines.join('\n') + '\n';
}
