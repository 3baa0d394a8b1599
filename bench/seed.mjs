// Seeds the benchmark database in bulk (generate_series, one statement per table), not through
// the API. Uses the app's own argon2 parameters and room naming from the build in dist/.
import argon2 from 'argon2';
import pg from 'pg';
import { directRoomName } from '../dist/src/chat/room-names.js';
import { ARGON2_OPTIONS } from '../dist/src/users/password-hasher.service.js';

export const PASSWORD = 'bench-password-1';

/**
 * Users: `reader` with 20 direct conversations (30 messages each), `historian` in one group
 * with `sizes.history` messages followed by `sizes.newer` newer ones elsewhere, and in a room of
 * `sizes.whole` messages, `inbox` and `caughtup` with `sizes.inbox` conversations of 5 messages
 * each (all unread for `inbox`, all read for `caughtup`), two twin conversations of `sizes.newer`
 * messages of which one has every tenth deleted, `poster` and `postee` for sends, `fan1..N` in one group, `idle1..N`, `loginuser`. Returns the ids.
 */
export async function seed(databaseUrl, sizes, log = () => {}) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const hash = await argon2.hash(PASSWORD, ARGON2_OPTIONS);
    const named = ['reader', 'historian', 'historian2', 'poster', 'postee', 'loginuser', 'inbox', 'caughtup'];
    for (let i = 1; i <= 20; i++) named.push(`partner${i}`);
    await db.query(
      `INSERT INTO users (username, email, password_hash)
       SELECT name, name || '@bench.test', $2 FROM unnest($1::text[]) AS name
       UNION ALL SELECT 'fan' || g, 'fan' || g || '@bench.test', $2 FROM generate_series(1, $3::int) g
       UNION ALL SELECT 'idle' || g, 'idle' || g || '@bench.test', $2 FROM generate_series(1, $4::int) g`,
      [named, hash, sizes.fanMembers, sizes.idleConnections],
    );
    await db.query(`INSERT INTO profiles (user_id) SELECT id FROM users ON CONFLICT DO NOTHING`);
    const ids = Object.fromEntries((await db.query(`SELECT username, id FROM users`)).rows.map((r) => [r.username, r.id]));

    const direct = async (a, b) => {
      const [low, high] = ids[a] < ids[b] ? [ids[a], ids[b]] : [ids[b], ids[a]];
      const { rows } = await db.query(
        `INSERT INTO conversations (kind, name, direct_user_low, direct_user_high) VALUES ('direct', $1, $2, $3) RETURNING id`,
        [directRoomName(a, b), low, high],
      );
      await db.query(`INSERT INTO conversation_members (conversation_id, user_id) VALUES ($1, $2), ($1, $3)`, [rows[0].id, low, high]);
      return rows[0].id;
    };
    const group = async (name, members) => {
      const { rows } = await db.query(`INSERT INTO conversations (kind, name) VALUES ('group', $1) RETURNING id`, [name]);
      await db.query(`INSERT INTO conversation_members (conversation_id, user_id) SELECT $1, unnest($2::int[])`, [rows[0].id, members]);
      return rows[0].id;
    };
    const messages = async (conversationId, senders, count) => {
      await db.query(
        `INSERT INTO messages (conversation_id, sender_id, seq, text, created_at)
         SELECT $1, ($2::int[])[1 + g % cardinality($2::int[])], g, 'Seeded message ' || g || ' ' || md5(g::text),
                now() - interval '1 day' + g * interval '1 ms'
         FROM generate_series(1, $3::int) g`,
        [conversationId, senders, count],
      );
      await db.query(
        `UPDATE conversations SET message_count = (SELECT count(*) FROM messages WHERE conversation_id = $1),
                last_activity_at = (SELECT max(created_at) FROM messages WHERE conversation_id = $1) WHERE id = $1`,
        [conversationId],
      );
    };

    const manyConversations = async (owner, partner, count, perConversation, read) => {
      const { rows } = await db.query(
        `INSERT INTO conversations (kind, name) SELECT 'group', 'g-bench' || $1::text || g FROM generate_series(1, $2::int) g RETURNING id`,
        [owner, count],
      );
      const conversationIds = rows.map((r) => r.id);
      await db.query(`INSERT INTO conversation_members (conversation_id, user_id) SELECT c, u FROM unnest($1::int[]) c CROSS JOIN unnest($2::int[]) u`, [conversationIds, [ids[owner], ids[partner]]]);
      await db.query(
        `INSERT INTO messages (conversation_id, sender_id, seq, text, created_at)
         SELECT c, $2, g, 'Unread message ' || g, now() - interval '2 days' + (c * 10 + g) * interval '1 ms'
         FROM unnest($1::int[]) c CROSS JOIN generate_series(1, $3::int) g`,
        [conversationIds, ids[partner], perConversation],
      );
      await db.query(
        `UPDATE conversations c SET message_count = $2, last_activity_at = m.created_at FROM messages m
         WHERE c.id = ANY($1::int[]) AND m.conversation_id = c.id AND m.seq = $2`,
        [conversationIds, perConversation],
      );
      if (read) {
        await db.query(
          `UPDATE conversation_members cm SET last_read_seq = m.seq, last_read_message_id = m.id FROM messages m
           WHERE cm.user_id = $1 AND cm.conversation_id = ANY($2::int[]) AND m.conversation_id = cm.conversation_id AND m.seq = $3`,
          [ids[owner], conversationIds, perConversation],
        );
      }
      return conversationIds;
    };

    const readerConversations = [];
    for (let i = 1; i <= 20; i++) {
      const id = await direct('reader', `partner${i}`);
      await messages(id, [ids.reader, ids[`partner${i}`]], 30);
      readerConversations.push(id);
    }
    log(`seeding ${sizes.history.toLocaleString('en')} messages in one conversation`);
    const history = await group('g-benchhistory', [ids.historian, ids.historian2]);
    await messages(history, [ids.historian, ids.historian2], sizes.history);
    const newer = await group('g-benchnewer', [ids.historian2, ids.poster]);
    await messages(newer, [ids.historian2, ids.poster], sizes.newer);
    // A room of `sizes.whole` messages, asked for whole (no paging), as the originals' clients do.
    const whole = await group('g-benchwhole', [ids.historian, ids.historian2]);
    await messages(whole, [ids.historian, ids.historian2], sizes.whole);
    // Ten times larger: does the memory a whole list costs grow with the list?
    const wholeLarge = await group('g-benchwholelarge', [ids.historian, ids.historian2]);
    await messages(wholeLarge, [ids.historian, ids.historian2], sizes.whole * 10);
    // 1,000 conversations each for `inbox` (5 unread messages in every one) and `caughtup` (the
    // same, all read): does an unread count cost anything per row of a conversation list?
    const inbox = await manyConversations('inbox', 'partner1', sizes.inbox, 5, false);
    const caughtUp = await manyConversations('caughtup', 'partner2', sizes.inbox, 5, true);
    // Two twins of `sizes.newer` messages: in one, every tenth message is deleted.
    const intact = await group('g-benchintact', [ids.historian, ids.historian2]);
    await messages(intact, [ids.historian, ids.historian2], sizes.newer);
    const withDeletions = await group('g-benchdeleted', [ids.historian, ids.historian2]);
    await messages(withDeletions, [ids.historian, ids.historian2], sizes.newer);
    await db.query(`UPDATE messages SET text = '', deleted_at = now() WHERE conversation_id = $1 AND seq % 10 = 0`, [withDeletions]);
    const posting = await direct('poster', 'postee');
    const fanMembers = Array.from({ length: sizes.fanMembers }, (_, i) => ids[`fan${i + 1}`]);
    const fanout = await group('g-benchfanout', fanMembers);
    // One live session per user, as a login would open: access tokens name theirs in `sid`.
    const sessions = Object.fromEntries((await db.query(`INSERT INTO auth_sessions (id, user_id) SELECT gen_random_uuid(), id FROM users RETURNING id, user_id`)).rows.map((r) => [r.user_id, r.id]));
    // Statistics and visibility map for the planner, then flush the seed's dirty pages now: a
    // checkpoint spread over the first scenarios showed up as 100 ms write tails.
    await db.query('VACUUM (ANALYZE)');
    await db.query('CHECKPOINT').catch(() => {}); // needs superuser or pg_checkpoint; harmless without
    return {
      users: ids,
      sessions,
      fanMembers,
      idleUsers: Array.from({ length: sizes.idleConnections }, (_, i) => ids[`idle${i + 1}`]),
      conversations: { reader: readerConversations, history, newer, posting, fanout, whole, wholeLarge, inbox, caughtUp, intact, withDeletions },
      roomNames: { intact: 'g-benchintact', withDeletions: 'g-benchdeleted' },
      rooms: { fanout: 'g-benchfanout', whole: 'g-benchwhole' },
    };
  } finally {
    await db.end();
  }
}
