const format = (value) => (value === null || value === undefined ? '–' : typeof value === 'number' ? (Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en') : String(value)) : String(value));

/** The Markdown table of a run, as pasted into the README. */
export function renderMarkdown(report) {
  const m = report.machine;
  const lines = [
    `Palaver benchmarks, ${report.mode} run of ${report.date.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, ${m.kernel}; Node ${m.node}; PostgreSQL ${m.postgres}; ${m.pinned ? 'servers pinned to CPU 0, load generators to the others' : 'not pinned'}.`,
    '',
    '| # | scenario | metric | app | baseline | ratio | goal | met |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of report.results) {
    if (r.metric === 'error') {
      lines.push(`| ${r.id} | ${r.name} | error | – | – | – | – | no: ${String(r.error).split('\n')[0].replace(/\|/g, '/')} |`);
      continue;
    }
    const unit = r.unit ? ` ${r.unit}` : '';
    lines.push(
      `| ${r.id} | ${r.name} | ${r.metric} | ${format(r.app)}${r.app === null || r.app === undefined ? '' : unit} | ${format(r.baseline)}${r.baseline === null || r.baseline === undefined ? '' : unit} | ${format(r.ratio)} | ${r.goal} | ${r.met === null ? (r.note ? `skipped: ${r.note}` : '–') : r.met ? 'yes' : 'no'} |`,
    );
  }
  return lines.join('\n') + '\n';
}
