import { describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connected, connectSocket, request } from './support/realtime-clients.js';

/** The built server as a process, so SIGTERM is the real thing. */
async function startServer(dataDir: string): Promise<{ child: ChildProcess; baseUrl: string; exited: Promise<number | null> }> {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const env: Record<string, string | undefined> = { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'log', MESSAGE_BURST: '100000', MESSAGES_PER_MINUTE: '1000000' };
  const child = spawn(process.execPath, ['dist/src/main.js'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  for (const deadline = Date.now() + 60_000; ; ) {
    if (exitCode !== undefined) throw new Error(`server exited with ${exitCode} before it was ready; its output:\n${output.slice(-3000)}`);
    try {
      if ((await fetch(`${baseUrl}/health/ready`)).ok) break;
    } catch {
      if (Date.now() > deadline) throw new Error(`server did not start within 60 s; its output:\n${output.slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { child, baseUrl, exited };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked by the assertions
async function json(baseUrl: string, path: string, body?: object, token?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(baseUrl + path, {
    method: body ? 'POST' : 'GET',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: await response.json() };
}

describe('SIGTERM with sends in flight', () => {
  it('loses no acknowledged message, stores each exactly once, tells clients to reconnect and exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'palaver-shutdown-'));
    try {
      let server = await startServer(dataDir);
      const users: string[] = [];
      for (const name of ['sender', 'reader']) {
        await json(server.baseUrl, '/accounts/api/users/', { username: name, email: `${name}@example.com`, password: 'password123' });
        users.push((await json(server.baseUrl, '/accounts/api/token/', { username: name, password: 'password123' })).body.access as string);
      }
      const room = (await json(server.baseUrl, '/messenger/api/chatrooms/', { recipient: 'reader' }, users[0])).body;
      const socket = connectSocket(server.baseUrl, users[0]);
      await connected(socket);
      const shutdownNotice = new Promise((resolve) => socket.once('server:shutdown', resolve));

      const acks = Array.from({ length: 60 }, (_, i) => request(socket, 'message:send', { conversation: room.id, text: `in flight ${i}`, client_id: `k${i}` }).catch(() => null));
      // And 30 REST sends: each must get a whole answer (201, or a JSON 503), never a cut connection.
      const posts = Array.from({ length: 30 }, (_, i) =>
        json(server.baseUrl, '/api/messages/', { conversation: room.id, text: `rest in flight ${i}`, client_id: `r${i}` }, users[0]).catch((error: Error) => ({ status: 0, body: String(error.cause ?? error) })),
      );
      await new Promise((resolve) => setTimeout(resolve, 15));
      server.child.kill('SIGTERM');
      const settled = await Promise.all(acks);
      const answered = await Promise.all(posts);
      expect(await server.exited).toBe(0);
      await expect(shutdownNotice).resolves.toEqual({ reconnect: true });

      for (const answer of answered) {
        expect([201, 503]).toContain(answer.status);
        if (answer.status === 503) expect(answer.body).toMatchObject({ code: 'service_unavailable' });
      }
      const acknowledged = [...settled.flatMap((a) => (a && a.ok ? [a.message] : [])), ...answered.flatMap((a) => (a.status === 201 ? [a.body] : []))];
      const refused = settled.filter((a) => a && !a.ok);
      const restRefused = answered.filter((a) => a.status === 503).length;
      for (const answer of refused) expect(answer).toMatchObject({ ok: false, error: { status: 503 } });

      server = await startServer(dataDir);
      const history = await json(server.baseUrl, `/api/conversations/${room.id}/messages/?limit=200`, undefined, users[1]);
      const stored = history.body.map((m: { id: number; text: string }) => m.id);
      expect(new Set(stored).size).toBe(stored.length);
      expect(stored.length).toBeLessThanOrEqual(90);
      for (const message of acknowledged) expect(stored).toContain(message.id);
      socket.disconnect();
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      process.stdout.write(`shutdown test: ${acknowledged.length} acknowledged (${answered.length - restRefused} of them over REST), ${refused.length + restRefused} refused with 503, ${stored.length} stored\n`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
