// The Node 24 binary that the image ships, for tests and benchmarks on machines whose own Node is
// older. It comes from the npm registry (`node-<platform>-<arch>@24`, the official build), once,
// into ~/.cache/palaver (NODE24_CACHE to change). `node scripts/node24.mjs` prints its bin/
// directory, so that `PATH="$(node scripts/node24.mjs):$PATH" npm test` runs on it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAJOR = '24';

/** Path of a Node 24 executable: this one if it is 24, else the cached (or newly fetched) one. */
export function node24() {
  if (process.versions.node.split('.')[0] === MAJOR) return process.execPath;
  const cache = process.env.NODE24_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'palaver', `node${MAJOR}-${process.platform}-${process.arch}`);
  const binary = join(cache, 'package', 'bin', 'node');
  if (existsSync(binary)) return binary;
  mkdirSync(cache, { recursive: true });
  const name = `node-${process.platform}-${process.arch}@${MAJOR}`;
  process.stderr.write(`fetching Node ${MAJOR} from the npm registry (${name})…\n`);
  execFileSync('npm', ['pack', name, '--pack-destination', cache, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(cache).find((file) => file.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${name} wrote no tarball into ${cache}`);
  execFileSync('tar', ['xzf', join(cache, tarball), '-C', cache]);
  rmSync(join(cache, tarball));
  if (!existsSync(binary)) throw new Error(`${name} has no bin/node`);
  return binary;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(`${dirname(node24())}\n`);
