import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createUser } from './support/users.js';

const PASSWORD = 'correct horse ✓ battery';
/** `make_password(PASSWORD)` of Django 3.2.25 (its default hasher), and its argon2 and bcrypt_sha256 hashers. */
const FROM_DJANGO = {
  pbkdf2: 'pbkdf2_sha256$260000$xpzF71CDH7BwfADp2seHWS$lGbegm0gCWG/pXZNLy3b/4kV6Po2lcGkTnKU+fYtl1Y=',
  argon2: 'argon2$argon2id$v=19$m=102400,t=2,p=8$WktPdWhsSXlFV0p4ZTcyMnRKMll5aQ$o0olL6WgfbHLBAUpIUJjrA',
  bcrypt: 'bcrypt_sha256$$2b$12$siuC1Vb9I4pcDQKYlbZbP.p/yBe10GHGbatRZ3Dxb/QwGizbmfh2y',
};

/** Accounts whose password hash came from a Django deployment (as `import:django` stores it) log in, and their hash becomes argon2id. */
describe('logins with Django password hashes', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  /** A user whose stored hash is replaced by `hash`, as an import leaves it. */
  async function imported(prefix: string, hash: string): Promise<{ id: number; username: string }> {
    const user = await createUser(t, prefix);
    await t.dataSource.query(`UPDATE users SET password_hash = $2 WHERE id = $1`, [user.id, hash]);
    return user;
  }
  const storedHash = async (id: number): Promise<string> => (await t.dataSource.query(`SELECT password_hash FROM users WHERE id = $1`, [id]))[0].password_hash;

  for (const [kind, hash] of Object.entries(FROM_DJANGO)) {
    it(`logs in with the old password (${kind}), then holds it as argon2id and still logs in`, async () => {
      const { id, username } = await imported(`django_${kind}`, hash);
      await t.http().post('/login/').send({ username, password: 'wrong password' }).expect(401);
      expect(await storedHash(id)).toBe(hash); // a failed login changes nothing
      const response = await t.http().post('/accounts/api/token/').send({ username, password: PASSWORD }).expect(200);
      expect(Object.keys(response.body).sort()).toEqual(['access', 'refresh']);
      const rehashed = await storedHash(id);
      expect(rehashed).toMatch(/^\$argon2id\$v=19\$m=19456,/);
      await t.http().post('/login/').send({ username, password: PASSWORD }).expect(200);
      expect(await storedHash(id)).toBe(rehashed); // already current: not hashed again
    }, 30_000);
  }

  it("refuses Django's unusable password with the same answer as a wrong one", async () => {
    const { username } = await imported('django_unusable', '!Vb8XJ1qk2oAnL4bXlTL9ubU9nSZcA1SZ4tPUA9eN');
    const response = await t.http().post('/login/').send({ username, password: '!Vb8XJ1qk2oAnL4bXlTL9ubU9nSZcA1SZ4tPUA9eN' }).expect(401);
    expect(response.body).toEqual({ detail: 'No active account found with the given credentials', code: 'no_active_account' });
  });
});
