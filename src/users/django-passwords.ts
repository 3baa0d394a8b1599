import { createHash, pbkdf2, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import argon2 from 'argon2';
import bcrypt from 'bcrypt';

const pbkdf2Async = promisify(pbkdf2);
const scryptAsync = promisify(scrypt) as (password: string, salt: string, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

/**
 * Django's password hashers, as imported from an original deployment (`import:django`): the
 * `<algorithm>$...` strings of `auth_user.password`. Login verifies them as Django would, and the
 * caller then replaces them with Palaver's argon2id. Formats (django/contrib/auth/hashers.py):
 *
 * - `pbkdf2_sha256$<iterations>$<salt>$<base64 of the 32-byte key>` (Django's default), and
 *   `pbkdf2_sha1$…` (20-byte key);
 * - `argon2$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>`: argon2-cffi's own string after `argon2`
 *   (older Django: `argon2i`, and before that without `v=`);
 * - `bcrypt_sha256$$2b$12$…`: bcrypt of the hex SHA-256 of the password; `bcrypt$$2b$…`: bcrypt
 *   of the password itself (the native `bcrypt`, which hashes on libuv's thread pool like argon2:
 *   a pure-JS bcrypt spent about 0.9 s of the event loop's CPU on one cost-12 login);
 * - `scrypt$<salt>$<n>$<r>$<p>$<base64 of the 64-byte key>`;
 * - `md5$<salt>$<hex md5 of salt + password>` (Django ships it for tests; accepted, rehashed).
 *
 * A password starting with `!` is Django's unusable password (`set_unusable_password`): nothing
 * matches it.
 */
export const DJANGO_ALGORITHMS = ['pbkdf2_sha256', 'pbkdf2_sha1', 'argon2', 'bcrypt_sha256', 'bcrypt', 'scrypt', 'md5'] as const;
export type DjangoAlgorithm = (typeof DJANGO_ALGORITHMS)[number];

/** Longest work factors accepted from a stored hash: an imported row must not make one login run for minutes. */
const MAX_PBKDF2_ITERATIONS = 10_000_000;
const MAX_SCRYPT_COST = 2 ** 20;

/** The Django algorithm of a stored hash, or null when it is not one (Palaver's own hashes start with `$argon2`). */
export function djangoAlgorithm(encoded: string): DjangoAlgorithm | null {
  const name = encoded.slice(0, encoded.indexOf('$'));
  return (DJANGO_ALGORITHMS as readonly string[]).includes(name) ? (name as DjangoAlgorithm) : null;
}

/** Django's unusable password (`!` followed by random characters): no password matches it. */
export function isUnusableDjangoPassword(encoded: string): boolean {
  return encoded.startsWith('!');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Whether `password` matches a Django hash; false for anything malformed (never throws). */
export async function verifyDjangoPassword(encoded: string, password: string): Promise<boolean> {
  try {
    switch (djangoAlgorithm(encoded)) {
      case 'pbkdf2_sha256':
      case 'pbkdf2_sha1': {
        const [algorithm, iterationsText, salt, hash] = encoded.split('$');
        const iterations = Number(iterationsText);
        if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS || salt === undefined || !hash) return false;
        const digest = algorithm === 'pbkdf2_sha256' ? 'sha256' : 'sha1';
        const key = await pbkdf2Async(password, salt, iterations, digest === 'sha256' ? 32 : 20, digest);
        return sameText(key.toString('base64'), hash);
      }
      case 'argon2': {
        // argon2-cffi's string is already PHC: `$argon2id$v=19$m=…,t=…,p=…$salt$hash`.
        return await argon2.verify(encoded.slice('argon2'.length), password);
      }
      case 'bcrypt_sha256':
      case 'bcrypt': {
        const [algorithm, , ...rest] = encoded.split('$');
        const hash = `$${rest.join('$')}`;
        const secret = algorithm === 'bcrypt_sha256' ? createHash('sha256').update(password, 'utf8').digest('hex') : password;
        return await bcrypt.compare(secret, hash);
      }
      case 'scrypt': {
        const [, salt, nText, rText, pText, hash] = encoded.split('$');
        const [n, r, p] = [Number(nText), Number(rText), Number(pText)];
        if (![n, r, p].every((v) => Number.isInteger(v) && v > 0) || n > MAX_SCRYPT_COST || r > 64 || p > 16 || !hash) return false;
        const key = await scryptAsync(password, salt, 64, { N: n, r, p, maxmem: 256 * n * r * p });
        return sameText(key.toString('base64'), hash);
      }
      case 'md5': {
        const [, salt, hash] = encoded.split('$');
        if (salt === undefined || !hash) return false;
        return sameText(createHash('md5').update(salt + password, 'utf8').digest('hex'), hash);
      }
      default:
        return false;
    }
  } catch {
    return false;
  }
}
