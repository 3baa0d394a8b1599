// `npm start` builds first when dist/ is missing or older than any source file.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const entry = 'dist/src/main.js';
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
const stale = !existsSync(entry) || Math.max(newestMtime('src'), statSync('ormconfig.ts').mtimeMs) > statSync(entry).mtimeMs;
if (stale) {
  process.stdout.write('Building Palaver (dist/ is missing or out of date)…\n');
  execSync('npm run build', { stdio: 'inherit' });
}
