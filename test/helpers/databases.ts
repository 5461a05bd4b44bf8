import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';

export type TestDialect = 'sqlite' | 'postgres';

/** The dialect this vitest project runs against (vitest.config.ts sets it per project). */
export function testDialect(): TestDialect {
  return process.env.ATELIER_TEST_DIALECT === 'postgres' ? 'postgres' : 'sqlite';
}

export interface TestDatabase {
  url: string;
  /** Removes the database (PostgreSQL); SQLite files go with their directory. */
  drop(): Promise<void>;
}

/** Runs one statement on the run's cluster as its superuser, over a connection of its own. */
async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A fresh, empty PostgreSQL database on the run's throwaway cluster. */
export async function freshPostgresDatabase(): Promise<TestDatabase> {
  const name = `atelier_${process.pid}_${randomBytes(6).toString('hex')}`;
  await admin(`create database ${name}`);
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // WITH (FORCE) ends sessions a crashed or killed server left behind.
    drop: () => admin(`drop database if exists ${name} with (force)`),
  };
}

/**
 * A fresh database of the project's dialect: a SQLite file in `dir`, or a new
 * database on the throwaway PostgreSQL cluster.
 */
export async function freshDatabase(dir: string): Promise<TestDatabase> {
  if (testDialect() === 'postgres') return freshPostgresDatabase();
  return { url: `sqlite:${join(dir, 'atelier.db')}`, drop: async () => {} };
}
