import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { Config } from '../config.js';
import { loadSecretBox, SecretBox } from './secret-box.js';

/** ATELIER_SECRET_KEY, else a key file beside the SQLite database (or in ./data). */
export function secretBoxFor(config: Config): SecretBox {
  const sqlitePath = config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl.slice('sqlite:'.length) : undefined;
  if (sqlitePath === ':memory:' && !config.secretKey) return new SecretBox(randomBytes(32));
  const keyFile = sqlitePath ? join(dirname(sqlitePath), 'atelier.key') : join('data', 'atelier.key');
  return loadSecretBox(config.secretKey, keyFile);
}
