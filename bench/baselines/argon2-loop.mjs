// Baseline for scenario 9: argon2.verify in a loop with the app's parameters and concurrency
// (the libuv thread pool size), for `duration` seconds. Prints verifications per second.
import argon2 from 'argon2';

const [duration = '5', concurrency = String(Number(process.env.UV_THREADPOOL_SIZE) || 4)] = process.argv.slice(2);
const options = JSON.parse(process.env.BENCH_ARGON2_OPTIONS);
const password = 'bench-password-1';
const hash = await argon2.hash(password, options);

let done = 0;
const until = Date.now() + Number(duration) * 1000;
const started = Date.now();
async function worker() {
  while (Date.now() < until) {
    if (!(await argon2.verify(hash, password))) throw new Error('verify failed');
    done++;
  }
}
await Promise.all(Array.from({ length: Number(concurrency) }, worker));
console.log(JSON.stringify({ verifications: done, seconds: (Date.now() - started) / 1000, rps: done / ((Date.now() - started) / 1000) }));
