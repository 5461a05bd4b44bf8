import type { Database, Executor } from '../db/database.js';
import { fromDbTime, toDbTime } from '../db/database.js';
import { param, preparedRead } from '../db/prepared-read.js';
import { andThen, type MaybeSync } from '../shared/maybe-sync.js';
import type { AccountRow, CredentialRow, TokenRow, UserRow } from '../db/schema.js';

export type PrincipalKind = 'credential' | 'user';

export async function insertAccount(tx: Executor, row: { id: string; name: string; at: Date }): Promise<void> {
  await tx
    .insertInto('accounts')
    .values({ id: row.id, name: row.name, disabled: 0, created_at: toDbTime(row.at) })
    .execute();
}

export async function findAccount(tx: Executor, idOrName: string): Promise<AccountRow | undefined> {
  return tx
    .selectFrom('accounts')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
}

export async function listAccounts(tx: Executor): Promise<AccountRow[]> {
  return tx.selectFrom('accounts').selectAll().orderBy('name').execute();
}

export async function setAccountDisabled(tx: Executor, id: string, disabled: boolean): Promise<boolean> {
  const r = await tx
    .updateTable('accounts')
    .set({ disabled: disabled ? 1 : 0 })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function insertUser(
  tx: Executor,
  row: Omit<UserRow, 'created_at' | 'disabled'> & { at: Date },
): Promise<void> {
  await tx
    .insertInto('users')
    .values({
      id: row.id,
      account_id: row.account_id,
      name: row.name,
      password_hash: row.password_hash,
      disabled: 0,
      created_at: toDbTime(row.at),
    })
    .execute();
}

export async function findUserByName(tx: Executor, accountId: string, name: string): Promise<UserRow | undefined> {
  return tx
    .selectFrom('users')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('name', '=', name)
    .executeTakeFirst();
}

export async function findUser(tx: Executor, id: string): Promise<UserRow | undefined> {
  return tx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listUsers(tx: Executor, accountId?: string): Promise<UserRow[]> {
  let q = tx.selectFrom('users').selectAll().orderBy('name');
  if (accountId) q = q.where('account_id', '=', accountId);
  return q.execute();
}

/** Stores a fresh hash of the user's password (parameters raised since it was set). */
export async function updateUserPasswordHash(tx: Executor, id: string, passwordHash: string): Promise<void> {
  await tx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute();
}

export async function setUserDisabled(tx: Executor, id: string, disabled: boolean): Promise<boolean> {
  const r = await tx
    .updateTable('users')
    .set({ disabled: disabled ? 1 : 0 })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function insertCredential(
  tx: Executor,
  row: { accessKey: string; accountId: string; secretSealed: string; description: string; at: Date },
): Promise<void> {
  await tx
    .insertInto('credentials')
    .values({
      access_key: row.accessKey,
      account_id: row.accountId,
      secret_sealed: row.secretSealed,
      description: row.description,
      disabled: 0,
      created_at: toDbTime(row.at),
    })
    .execute();
}

export async function updateCredentialSecret(tx: Executor, accessKey: string, secretSealed: string): Promise<void> {
  await tx
    .updateTable('credentials')
    .set({ secret_sealed: secretSealed })
    .where('access_key', '=', accessKey)
    .execute();
}

export async function findCredential(tx: Executor, accessKey: string): Promise<CredentialRow | undefined> {
  return tx.selectFrom('credentials').selectAll().where('access_key', '=', accessKey).executeTakeFirst();
}

/** A credential with what decides whether it may sign: its own state and its account's. */
export async function findActiveCredential(
  tx: Executor,
  accessKey: string,
): Promise<{ access_key: string; account_id: string; secret_sealed: string } | undefined> {
  return tx
    .selectFrom('credentials')
    .innerJoin('accounts', 'accounts.id', 'credentials.account_id')
    .select(['credentials.access_key', 'credentials.account_id', 'credentials.secret_sealed'])
    .where('credentials.access_key', '=', accessKey)
    .where('credentials.disabled', '=', 0)
    .where('accounts.disabled', '=', 0)
    .executeTakeFirst();
}

export async function listCredentials(tx: Executor, accountId?: string): Promise<CredentialRow[]> {
  let q = tx.selectFrom('credentials').selectAll().orderBy('created_at');
  if (accountId) q = q.where('account_id', '=', accountId);
  return q.execute();
}

export async function setCredentialDisabled(tx: Executor, accessKey: string, disabled: boolean): Promise<boolean> {
  const r = await tx
    .updateTable('credentials')
    .set({ disabled: disabled ? 1 : 0 })
    .where('access_key', '=', accessKey)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function deleteCredential(tx: Executor, accessKey: string): Promise<boolean> {
  await tx
    .deleteFrom('grants')
    .where('principal_kind', '=', 'credential')
    .where('principal_id', '=', accessKey)
    .execute();
  const r = await tx.deleteFrom('credentials').where('access_key', '=', accessKey).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function grantProject(tx: Executor, kind: PrincipalKind, id: string, projectId: string): Promise<void> {
  await tx
    .insertInto('grants')
    .values({ principal_kind: kind, principal_id: id, project_id: projectId })
    .onConflict((oc) => oc.columns(['principal_kind', 'principal_id', 'project_id']).doNothing())
    .execute();
}

export async function revokeProject(tx: Executor, kind: PrincipalKind, id: string, projectId: string): Promise<void> {
  await tx
    .deleteFrom('grants')
    .where('principal_kind', '=', kind)
    .where('principal_id', '=', id)
    .where('project_id', '=', projectId)
    .execute();
}

export async function grantedProjects(tx: Executor, kind: PrincipalKind, id: string): Promise<string[]> {
  const rows = await tx
    .selectFrom('grants')
    .select('project_id')
    .where('principal_kind', '=', kind)
    .where('principal_id', '=', id)
    .orderBy('project_id')
    .execute();
  return rows.map((r) => r.project_id);
}

export async function insertToken(
  tx: Executor,
  row: {
    id: string;
    tokenHash: string;
    accountId: string;
    userId: string | null;
    projectId: string;
    at: Date;
    expiresAt: Date;
  },
): Promise<void> {
  await tx
    .insertInto('tokens')
    .values({
      id: row.id,
      token_hash: row.tokenHash,
      account_id: row.accountId,
      user_id: row.userId,
      project_id: row.projectId,
      created_at: toDbTime(row.at),
      expires_at: toDbTime(row.expiresAt),
      revoked_at: null,
    })
    .execute();
}

/** A token that is neither revoked nor expired, whose account (and user) are enabled. */
// Expiry is checked on the row, not in the query, so the answer depends on the
// database alone and can be reused (a cached read) as time goes by.
const usableToken = preparedRead<{ tokenHash: string }, TokenRow>(
  (db) =>
    db
      .selectFrom('tokens')
      .innerJoin('accounts', 'accounts.id', 'tokens.account_id')
      .leftJoin('users', 'users.id', 'tokens.user_id')
      .selectAll('tokens')
      .where('tokens.token_hash', '=', param('tokenHash'))
      .where('tokens.revoked_at', 'is', null)
      .where('accounts.disabled', '=', 0)
      .where((eb) => eb.or([eb('tokens.user_id', 'is', null), eb('users.disabled', '=', 0)])),
  { cached: true },
);

/** The committed token with this hash, unless revoked, expired or its account or user is disabled. */
export function findLiveToken(database: Database, tokenHash: string, now: Date): MaybeSync<TokenRow | undefined> {
  return andThen(usableToken(database, { tokenHash }), ([row]) =>
    row && expiresAt(row) > now.getTime() ? row : undefined,
  );
}

/** A token row's expiry in ms, parsed once per row (a reused read hands out the same row). */
const expiries = new WeakMap<TokenRow, number>();
function expiresAt(row: TokenRow): number {
  let at = expiries.get(row);
  if (at === undefined) expiries.set(row, (at = fromDbTime(row.expires_at).getTime()));
  return at;
}

/** Unrevoked tokens live at `from` and expired at `to`: what a move of the clock from one to the other ends. */
export async function countTokensExpiringBetween(db: Executor, from: Date, to: Date): Promise<number> {
  const row = await db
    .selectFrom('tokens')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', toDbTime(from))
    .where('expires_at', '<=', toDbTime(to))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listTokens(tx: Executor, accountId?: string): Promise<TokenRow[]> {
  let q = tx.selectFrom('tokens').selectAll().orderBy('created_at');
  if (accountId) q = q.where('account_id', '=', accountId);
  return q.execute();
}

export async function revokeToken(tx: Executor, id: string, at: Date): Promise<boolean> {
  const r = await tx
    .updateTable('tokens')
    .set({ revoked_at: toDbTime(at) })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
