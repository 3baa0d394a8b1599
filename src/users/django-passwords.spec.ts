import { describe, expect, it } from '@jest/globals';
import { djangoAlgorithm, isUnusableDjangoPassword, verifyDjangoPassword } from './django-passwords.js';

const PASSWORD = 'correct horse ✓ battery';

/**
 * Made by Django itself: `make_password(PASSWORD, hasher=…)` of Debian's Django 3.2.25 (with
 * python3-argon2 and python3-bcrypt), and the scrypt one as Django 4.0's ScryptPasswordHasher
 * encodes it (hashlib.scrypt, n=2^14, r=8, p=1, 64 bytes), which Django 3.2 predates.
 */
const DJANGO_HASHES = {
  pbkdf2_sha256: 'pbkdf2_sha256$260000$xpzF71CDH7BwfADp2seHWS$lGbegm0gCWG/pXZNLy3b/4kV6Po2lcGkTnKU+fYtl1Y=',
  pbkdf2_sha1: 'pbkdf2_sha1$260000$LikWjXerfbV9cdBsOYMPg2$Nsy9S8ZCE5Dg5S3g5mH6RS2Y+lM=',
  argon2: 'argon2$argon2id$v=19$m=102400,t=2,p=8$WktPdWhsSXlFV0p4ZTcyMnRKMll5aQ$o0olL6WgfbHLBAUpIUJjrA',
  bcrypt_sha256: 'bcrypt_sha256$$2b$12$siuC1Vb9I4pcDQKYlbZbP.p/yBe10GHGbatRZ3Dxb/QwGizbmfh2y',
  bcrypt: 'bcrypt$$2b$12$FSFiDnjJnwCUoR/slO5G7.8chWNtqcOJfYZUVjNjwechJ.MGKSG/C',
  scrypt: 'scrypt$Q0JhY2tncm91bmRTYWx0$16384$8$1$Bqmy8rZR+0Not//9G9mTIOAdLttNzrx4Kvmw/x+gyGmsodpZU/R2Anyj8hAiQjV1yZj5xWEWEUFmVxvyz4voOQ==',
  md5: 'md5$05G5iRy3qM7JVML3wxsK27$753c98883434b908a14e6ef9d4d236d1',
} as const;

describe('Django password hashes', () => {
  for (const [algorithm, encoded] of Object.entries(DJANGO_HASHES)) {
    it(`verifies ${algorithm} as Django does, and refuses a wrong password`, async () => {
      expect(djangoAlgorithm(encoded)).toBe(algorithm);
      expect(await verifyDjangoPassword(encoded, PASSWORD)).toBe(true);
      expect(await verifyDjangoPassword(encoded, 'correct horse battery')).toBe(false);
      expect(await verifyDjangoPassword(encoded, '')).toBe(false);
    }, 20_000);
  }

  it('recognises only Django algorithms: not Palaver argon2id, unusable or unknown ones', () => {
    expect(djangoAlgorithm('$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA')).toBeNull();
    expect(djangoAlgorithm('sha1$salt$hash')).toBeNull();
    expect(djangoAlgorithm('!0ZcY4ZkG2xhWUnW7bHHVqxNGJ2HAaXWBWxFTv9yd')).toBeNull();
    expect(isUnusableDjangoPassword('!0ZcY4ZkG2xhWUnW7bHHVqxNGJ2HAaXWBWxFTv9yd')).toBe(true);
    expect(isUnusableDjangoPassword(DJANGO_HASHES.pbkdf2_sha256)).toBe(false);
  });

  it('answers false, never throws, for malformed hashes and work factors beyond reason', async () => {
    for (const broken of [
      'pbkdf2_sha256$',
      'pbkdf2_sha256$abc$salt$hash',
      'pbkdf2_sha256$0$salt$hash',
      'pbkdf2_sha256$99999999999$salt$hash',
      'argon2$argon2id$garbage',
      'bcrypt_sha256$$2b$12$short',
      'bcrypt$',
      'scrypt$salt$16384$8$1$',
      'scrypt$salt$4294967296$8$1$aGFzaA==',
      'scrypt$salt$-1$8$1$aGFzaA==',
      'md5$salt',
    ]) {
      expect(await verifyDjangoPassword(broken, PASSWORD)).toBe(false);
    }
  });
});
