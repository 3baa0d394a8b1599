// Preloaded (`node --import`) into every server the benchmarks start, the app and the baselines
// alike: answers memory questions over the IPC channel, after a full GC when asked. The app's own
// code knows nothing of it.
if (process.send) {
  process.on('message', (message) => {
    if (message?.type !== 'memory') return;
    if (message.gc && typeof globalThis.gc === 'function') {
      globalThis.gc();
      globalThis.gc();
    }
    process.send({ type: 'memory', id: message.id, usage: process.memoryUsage() });
  });
  process.send({ type: 'hello', pid: process.pid });
}
