// `npm start` builds first what is missing or older than its sources: the server (dist/), and the
// client package and reference web client (served at /app/).
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
const stale = (output, sources) => !existsSync(output) || Math.max(...sources.map((source) => (statSync(source).isDirectory() ? newestMtime(source) : statSync(source).mtimeMs))) > statSync(output).mtimeMs;

if (stale('dist/src/main.js', ['src', 'ormconfig.ts'])) {
  process.stdout.write('Building Palaver (dist/ is missing or out of date)…\n');
  execSync('npm run build', { stdio: 'inherit' });
}
if (existsSync('examples/web/src') && stale('examples/web/dist/index.html', ['packages/client/src', 'examples/web/src', 'examples/web/index.html'])) {
  process.stdout.write('Building the web client (served at /app/)…\n');
  execSync('npm run build --workspaces', { stdio: 'inherit' });
}
