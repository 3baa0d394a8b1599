import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connected, connectSocket, request, waitUntil } from './support/realtime-clients.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createUser } from './support/users.js';

const TOKEN = 'metrics-token-0123456789';

/** Prometheus value of a series (the first line whose name and labels start with `series`). */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series) && !l.startsWith('#'));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
}

describe('GET /metrics', () => {
  describe('enabled, with a token', () => {
    let t: TestApp;
    const scrape = async () => (await t.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200)).text;

    beforeAll(async () => {
      t = await startTestApp({ METRICS_ENABLED: 'true', METRICS_TOKEN: TOKEN });
    });
    afterAll(async () => {
      await t.close();
    });

    it('answers only with the token', async () => {
      await t.http().get('/metrics').expect(401);
      await t.http().get('/metrics').set('Authorization', 'Bearer wrong-token-0123456789').expect(401);
      const response = await t.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      expect(response.text).toContain('process_cpu_user_seconds_total');
      expect(response.text).toContain('nodejs_eventloop_lag_seconds');
    });

    it('counts requests by route template, messages stored and delivered, connections by transport and the database pool', async () => {
      const [alice, bob] = [await createUser(t, 'alice'), await createUser(t, 'bob')];
      const conversation = (await t.http().post('/api/conversations/').set('Authorization', `Bearer ${alice.access}`).send({ participants: [bob.id] }).expect(201)).body.id;
      await t.http().get(`/api/conversations/${conversation}/`).set('Authorization', `Bearer ${alice.access}`).expect(200);
      await t.http().get('/no/such/route').expect(404);
      const before = await scrape();
      const socket = connectSocket(t.baseUrl, bob.access);
      await connected(socket);
      await request(socket, 'conversation:join', { conversation });
      await t.http().post('/api/messages/').set('Authorization', `Bearer ${alice.access}`).send({ conversation, text: 'counted' }).expect(201);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const after = await scrape();
      socket.disconnect();

      expect(after).toMatch(/palaver_http_request_duration_seconds_count\{method="GET",route="\/api\/conversations\/:id",status="200"\} 1/);
      expect(after).toMatch(/palaver_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} 1/);
      expect(value(after, 'palaver_messages_stored_total') - (value(before, 'palaver_messages_stored_total') || 0)).toBe(1);
      expect(value(after, 'palaver_message_delivery_seconds_count')).toBeGreaterThanOrEqual(1);
      expect(value(after, 'palaver_message_write_batch_size_count')).toBeGreaterThanOrEqual(1);
      expect(value(after, 'palaver_realtime_connections{transport="socket.io"}')).toBe(1);
      expect(value(after, 'palaver_db_pool_connections{state="total"}')).toBeGreaterThanOrEqual(1);
      expect(after).toContain('palaver_relay_gap_fill_messages_total');
      expect(after).toContain('palaver_login_throttled_total');
      await waitUntil(() => !socket.connected);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(value(await scrape(), 'palaver_realtime_connections{transport="socket.io"}')).toBe(0);
    });
  });

  describe('disabled (the default)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(async () => {
      await t.close();
    });

    it('is not there', async () => {
      expect((await t.http().get('/metrics').expect(404)).body).toMatchObject({ code: 'not_found' });
    });
  });
});
