import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCallback(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))),
  );

/**
 * OWASP's Password Storage Cheat Sheet (scrypt): N = 2^17, r = 8, p = 1, 128 MiB per hash. Each hash
 * runs on libuv's thread pool (4 threads by default), which bounds how much memory logins take at once.
 */
export const PASSWORD_PARAMS = { N: 131_072, r: 8, p: 1 } as const;

/** Highest cost accepted from a stored hash; anything above is refused rather than computed. */
const MAX_N = 2 ** 20;

/** scrypt needs 128·N·r bytes; Node refuses above 32 MiB unless told more. */
const maxmem = (N: number, r: number) => 128 * N * r + 16 * 1024 * 1024;

/** `scrypt$N$r$p$salt$hash`, so the parameters can be raised later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const { N, r, p } = PASSWORD_PARAMS;
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, { N, r, p, maxmem: maxmem(N, r) });
  return ['scrypt', N, r, p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/**
 * Whether the password matches the stored hash, computed with the parameters the hash carries;
 * `current` says whether those are today's, so a caller can store a fresh hash after a login.
 */
export async function verifyPassword(password: string, stored: string): Promise<{ ok: boolean; current: boolean }> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const sane =
    Number.isInteger(params.N) &&
    params.N > 1 &&
    params.N <= MAX_N &&
    Number.isInteger(params.r) &&
    params.r >= 1 &&
    params.r <= 32 &&
    Number.isInteger(params.p) &&
    params.p >= 1 &&
    params.p <= 16;
  if (scheme !== 'scrypt' || !salt || !hash || !sane) return { ok: false, current: false };
  const expected = Buffer.from(hash, 'base64url');
  if (expected.length < 16) return { ok: false, current: false };
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    ...params,
    maxmem: maxmem(params.N, params.r),
  });
  const current = params.N === PASSWORD_PARAMS.N && params.r === PASSWORD_PARAMS.r && params.p === PASSWORD_PARAMS.p;
  return { ok: timingSafeEqual(actual, expected), current };
}
