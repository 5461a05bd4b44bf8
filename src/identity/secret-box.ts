import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const VERSION = 'v1';

/**
 * Seals secret keys at rest with AES-256-GCM. The sealed form is
 * `v1.<iv>.<tag>.<ciphertext>` in base64url, so a stolen database alone does
 * not give away any SK.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(keyMaterial: string | Buffer) {
    // Any operator-chosen string becomes a 256-bit key; a 32-byte key is used as is.
    this.key =
      Buffer.isBuffer(keyMaterial) && keyMaterial.length === 32
        ? keyMaterial
        : createHash('sha256').update(keyMaterial).digest();
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), data]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || data === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      // GCM only says "unable to authenticate data"; the usual cause is a key that changed.
      throw new Error(
        'cannot open a sealed secret key: ATELIER_SECRET_KEY or the key file is not the one it was sealed with',
      );
    }
  }
}

/**
 * The key from ATELIER_SECRET_KEY, or else from a key file (created on first
 * start with mode 0600) beside the database.
 */
export function loadSecretBox(secretKey: string | undefined, keyFile: string): SecretBox {
  if (secretKey) return new SecretBox(secretKey);
  if (!existsSync(keyFile)) {
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(keyFile, 0o600);
  return new SecretBox(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64'));
}
