import { hash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../clock.js';
import type { Database, Executor } from '../db/database.js';
import { fromDbTime, isUniqueViolation } from '../db/database.js';
import { AtelierError } from '../errors.js';
import { ensureOwnedProject, findProject, listProjects } from '../projects/project.service.js';
import {
  countTokensExpiringBetween,
  findAccount,
  findActiveCredential,
  findCredential,
  findLiveToken,
  findUser,
  findUserByName,
  grantedProjects,
  grantProject,
  insertAccount,
  listAccounts,
  listCredentials,
  insertCredential,
  insertToken,
  insertUser,
  updateCredentialSecret,
  updateUserPasswordHash,
  type PrincipalKind,
} from './identity.store.js';
import type { LoginThrottleSettings } from '../config.js';
import { LoginThrottle } from './login-throttle.js';
import { hashPassword, PASSWORD_PARAMS, verifyPassword } from './password.js';
import { ExpiringCache } from '../shared/expiring-cache.js';
import { andThen, type MaybeSync } from '../shared/maybe-sync.js';
import type { SecretBox } from './secret-box.js';
import { PROJECT_ID_PATTERN } from '../shared/conventions.js';
import {
  DEFAULT_MAX_SKEW_MS,
  parseAuthorization,
  VerifiedSignatures,
  type HeaderMap,
  type VerifyFailureReason,
} from './signature.js';

/** Who is calling, and which projects they may use. */
export interface Principal {
  readonly kind: 'credential' | 'token';
  /** The access key, or the token's id (never the token itself). */
  readonly id: string;
  readonly accountId: string;
  readonly projectIds: ReadonlySet<string>;
}

export interface IdentityOptions {
  readonly database: Database;
  /** The service clock: token expiry follows it, so tests can move time. */
  readonly clock: Clock;
  /**
   * Real time, for the ±15 minute window of X-Sdk-Date: clients sign with their
   * wall clock, whatever the service clock says.
   */
  readonly wallClock?: Clock;
  readonly secrets: SecretBox;
  readonly tokenTtlMs: number;
  /** How long a credential lookup is reused; bounds how late a revocation takes effect. */
  readonly cacheMs: number;
  /** Delay and lockout of refused password logins; unset, logins are not throttled. */
  readonly login?: LoginThrottleSettings;
}

const PROJECT_ID = new RegExp(PROJECT_ID_PATTERN);

const AK_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SK_ALPHABET = `${AK_ALPHABET}abcdefghijklmnopqrstuvwxyz`;
const randomText = (alphabet: string, length: number) =>
  Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');

/** Identifiers in the style of the cloud: 32 lowercase hex characters. */
export const newHexId = (): string => randomBytes(16).toString('hex');
export const newAccessKey = (): string => randomText(AK_ALPHABET, 20);
export const newSecretKey = (): string => randomText(SK_ALPHABET, 40);
export const hashToken = (token: string): string => hash('sha256', token, 'hex');

/** A hash no password matches, with today's parameters, checked when the user is unknown. */
const DUMMY_PASSWORD_HASH = `scrypt$${PASSWORD_PARAMS.N}$${PASSWORD_PARAMS.r}$${PASSWORD_PARAMS.p}$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;

/** One answer for an unknown key and a wrong signature, so access keys cannot be enumerated. */
const KEY_OR_SIGNATURE = 'the access key is unknown or disabled, or the signature does not match the request';

const SIGNATURE_REASONS: Record<VerifyFailureReason, string> = {
  missing: 'the Authorization header is missing',
  malformed: 'the Authorization header or X-Sdk-Date is malformed',
  'unknown-key': KEY_OR_SIGNATURE,
  expired: 'X-Sdk-Date is more than 15 minutes away from the server time',
  'missing-signed-header': 'a signed header is missing from the request',
  mismatch: KEY_OR_SIGNATURE,
};

interface CachedCredential {
  secret: string;
  accountId: string;
  projectIds: ReadonlySet<string>;
  /** What a request signed with it authenticates as. */
  principal: Principal;
}

/**
 * Accounts, projects, users, credentials and tokens: who may call, and the
 * administration behind it. Used by the HTTP layer and the command line.
 */
export class IdentityService {
  private readonly cache: ExpiringCache<string, CachedCredential | null>;
  private readonly signatures = new VerifiedSignatures();
  private readonly tokenPrincipals = new WeakMap<object, Principal>();
  /** The last token presented and its hash; what it may do is decided by the (reused) read of the hash. */
  private lastToken = { token: '', hash: hashToken('') };

  private readonly logins: LoginThrottle | undefined;

  constructor(private readonly options: IdentityOptions) {
    this.logins = options.login && new LoginThrottle(options.login, () => options.clock.now().getTime());
    this.cache = new ExpiringCache({ max: 10_000, ttlMs: options.cacheMs });
  }

  private get db(): Executor {
    return this.options.database.db;
  }

  // --- authentication ------------------------------------------------------

  /** The cached lookup of a key, if it is fresh; `null` for a key known not to hold. */
  private cachedCredential(accessKey: string): CachedCredential | null | undefined {
    return this.cache.peek(accessKey)?.value;
  }

  private async credential(accessKey: string): Promise<CachedCredential | null> {
    return this.cache.getOrLoad(accessKey, () => this.lookUpCredential(accessKey));
  }

  private async lookUpCredential(accessKey: string): Promise<CachedCredential | null> {
    const row = await findActiveCredential(this.db, accessKey);
    const projectIds = row ? new Set(await grantedProjects(this.db, 'credential', accessKey)) : undefined;
    if (!row || !projectIds) return null;
    return {
      secret: this.options.secrets.open(row.secret_sealed),
      accountId: row.account_id,
      projectIds,
      principal: { kind: 'credential' as const, id: accessKey, accountId: row.account_id, projectIds },
    };
  }

  /** Forgets cached credentials, so a change made in this process applies at once. */
  forget(accessKey?: string): void {
    if (accessKey) this.cache.delete(accessKey);
    else this.cache.clear();
  }

  /**
   * The principal of a signed request that exactly repeats one verified lately,
   * while its key's cached lookup is fresh and still holds the secret it was
   * verified with, and X-Sdk-Date is within the window; otherwise undefined, and
   * authenticateSignature decides. Synchronous: the polling reads' fast path.
   */
  recallSignature(request: { method: string; rawUrl: string; headers: HeaderMap }): Principal | undefined {
    const hit = this.signatures.recall(request.method, request.rawUrl, request.headers);
    if (hit === undefined || request.headers['x-security-token'] !== undefined) return undefined;
    const found = this.cachedCredential(hit.accessKey);
    if (!found || found.secret !== hit.secretKey) return undefined;
    const now = (this.options.wallClock ?? systemClock).now().getTime();
    return Math.abs(now - hit.signedAt) <= DEFAULT_MAX_SKEW_MS ? found.principal : undefined;
  }

  /**
   * Verifies an SDK-HMAC-SHA256 (or V11) signed request (auth-errors.md §3.3): at once (answer or
   * throw) when the key's lookup is cached, which a fleet's fresh signatures find; else a promise.
   */
  authenticateSignature(request: {
    method: string;
    rawUrl: string;
    headers: HeaderMap;
    body: Buffer | undefined;
    /** recallSignature was asked first and did not know it (a repeat it refused is verified in full). */
    recallTried?: boolean;
  }): MaybeSync<Principal> {
    const header = request.headers.authorization;
    // A header that does not parse is refused by verification whatever key it names.
    const accessKey = typeof header === 'string' ? parseAuthorization(header)?.accessKey : undefined;
    const cached = accessKey ? this.cachedCredential(accessKey) : null;
    if (cached === undefined) {
      return this.credential(accessKey!).then((found) => this.verifiedSignature(request, accessKey, found));
    }
    return this.verifiedSignature(request, accessKey, cached);
  }

  private verifiedSignature(
    request: { method: string; rawUrl: string; headers: HeaderMap; body: Buffer | undefined; recallTried?: boolean },
    accessKey: string | undefined,
    found: CachedCredential | null,
  ): Principal {
    const result = this.signatures.verify({
      method: request.method,
      rawUrl: request.rawUrl,
      headers: request.headers,
      body: request.body,
      lookupSecret: (ak) => (found && ak === accessKey ? found.secret : undefined),
      now: (this.options.wallClock ?? systemClock).now(),
      maxSkewMs: DEFAULT_MAX_SKEW_MS,
      recallTried: request.recallTried,
    });
    if (!result.ok || !found) {
      throw new AtelierError('unauthorized', { reason: SIGNATURE_REASONS[result.ok ? 'unknown-key' : result.reason] });
    }
    // auth-errors.md §3.6: a temporary credential holds only if its token is valid for the AK. Atelier issues
    // none, so a request presenting one is refused rather than served on the permanent key alone.
    if (request.headers['x-security-token'] !== undefined) {
      throw new AtelierError('unauthorized', { reason: 'temporary credentials (X-Security-Token) are not supported' });
    }
    return found.principal;
  }

  /** The principal of a live token: at once when its read is reused, else a promise. */
  authenticateToken(token: string): MaybeSync<Principal> {
    // A poller sends the same token again and again: its hash is computed once while it keeps coming.
    if (token !== this.lastToken.token) this.lastToken = { token, hash: hashToken(token) };
    return andThen(findLiveToken(this.options.database, this.lastToken.hash, this.options.clock.now()), (row) => {
      if (!row) throw new AtelierError('unauthorized', { reason: 'the token is invalid, expired or revoked' });
      // A reused (cached) row is answered with the principal made for it the first time.
      let principal = this.tokenPrincipals.get(row);
      if (!principal) {
        principal = { kind: 'token', id: row.id, accountId: row.account_id, projectIds: new Set([row.project_id]) };
        this.tokenPrincipals.set(row, principal);
      }
      return principal;
    });
  }

  // --- administration ------------------------------------------------------

  /** Live tokens whose expiry falls in (from, to]: what a move of the service clock would end. */
  countTokensExpiringBetween(from: Date, to: Date): Promise<number> {
    return countTokensExpiringBetween(this.options.database.db, from, to);
  }

  async createAccount(name: string): Promise<{ id: string; name: string }> {
    const id = newHexId();
    try {
      await insertAccount(this.db, { id, name, at: this.options.clock.now() });
    } catch (error) {
      if (isUniqueViolation(error)) throw new Error(`an account named ${name} exists already`);
      throw error;
    }
    return { id, name };
  }

  /** The account named so, created if there is none (the default account of a first start, a seed). */
  async ensureAccount(name: string): Promise<{ id: string; name: string }> {
    const existing = await findAccount(this.db, name);
    return existing ? { id: existing.id, name: existing.name } : this.createAccount(name);
  }

  async requireAccount(idOrName: string): Promise<{ id: string; name: string; disabled: boolean }> {
    const account = await findAccount(this.db, idOrName);
    if (!account) throw new Error(`no account ${idOrName}`);
    return { id: account.id, name: account.name, disabled: account.disabled === 1 };
  }

  async createProject(
    accountId: string,
    options: { id?: string; name?: string } = {},
  ): Promise<{ id: string; name: string }> {
    const id = options.id ?? newHexId();
    if (!PROJECT_ID.test(id)) throw new Error('project ids are 1–64 of A-Z a-z 0-9 -');
    const name = options.name ?? id;
    const owned = await ensureOwnedProject(this.db, { id, name, accountId, at: this.options.clock.now() });
    if (owned === 'foreign') throw new Error(`project ${id} belongs to another account`);
    return { id, name };
  }

  private async requireOwnedProjects(accountId: string, projectIds: readonly string[]): Promise<void> {
    for (const id of projectIds) {
      const project = await findProject(this.db, id);
      if (!project) throw new Error(`no project ${id}`);
      if (project.account_id !== accountId) throw new Error(`project ${id} does not belong to this account`);
    }
  }

  async grant(
    kind: PrincipalKind,
    principalId: string,
    accountId: string,
    projectIds: readonly string[],
  ): Promise<void> {
    await this.requireOwnedProjects(accountId, projectIds);
    for (const id of projectIds) await grantProject(this.db, kind, principalId, id);
    if (kind === 'credential') this.forget(principalId);
  }

  async createUser(
    accountId: string,
    name: string,
    password: string,
    projectIds: readonly string[] = [],
  ): Promise<{ id: string }> {
    if (password.length < 8) throw new Error('a password needs at least 8 characters');
    const id = newHexId();
    await this.requireOwnedProjects(accountId, projectIds);
    try {
      await insertUser(this.db, {
        id,
        account_id: accountId,
        name,
        password_hash: await hashPassword(password),
        at: this.options.clock.now(),
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new Error(`the account has a user named ${name} already`);
      throw error;
    }
    await this.grant('user', id, accountId, projectIds);
    return { id };
  }

  /** Creates an AK/SK pair granted to the projects; the SK is returned once and stored sealed. */
  async createCredential(
    accountId: string,
    projectIds: readonly string[],
    options: { accessKey?: string; secretKey?: string; description?: string } = {},
  ): Promise<{ accessKey: string; secretKey: string }> {
    await this.requireOwnedProjects(accountId, projectIds);
    const accessKey = options.accessKey ?? newAccessKey();
    const secretKey = options.secretKey ?? newSecretKey();
    await this.options.database.transaction(async (tx) => {
      await insertCredential(tx, {
        accessKey,
        accountId,
        secretSealed: this.options.secrets.seal(secretKey),
        description: options.description ?? '',
        at: this.options.clock.now(),
      });
      for (const id of projectIds) await grantProject(tx, 'credential', accessKey, id);
    });
    return { accessKey, secretKey };
  }

  /** Issues a project-scoped token; only its hash is kept. */
  async issueToken(
    accountId: string,
    projectId: string,
    options: { userId?: string; ttlMs?: number } = {},
  ): Promise<{ id: string; token: string; expiresAt: Date; issuedAt: Date }> {
    await this.requireOwnedProjects(accountId, [projectId]);
    const token = `atl.${randomBytes(32).toString('base64url')}`;
    const id = randomUUID();
    const issuedAt = this.options.clock.now();
    const expiresAt = new Date(issuedAt.getTime() + (options.ttlMs ?? this.options.tokenTtlMs));
    await insertToken(this.db, {
      id,
      tokenHash: hashToken(token),
      accountId,
      userId: options.userId ?? null,
      projectId,
      at: issuedAt,
      expiresAt,
    });
    return { id, token, expiresAt, issuedAt };
  }

  /**
   * The IAM password method: a user of an account asks for a token scoped to one
   * of the projects they were granted. Any failure reads the same, so the answer
   * never tells which part was wrong; refusals in a row are answered later and
   * later, and then not checked at all for a while (LoginThrottle), for the
   * user — known or not — and for the client address alike.
   */
  async passwordLogin(input: {
    accountName?: string;
    accountId?: string;
    userName?: string;
    userId?: string;
    password: string;
    project: { id?: string; name?: string };
    /** The client's address, for the per-address throttle. */
    address?: string;
  }) {
    let user;
    if (input.userId) user = await findUser(this.db, input.userId);
    else {
      const account = await findAccount(this.db, input.accountId ?? input.accountName ?? '');
      if (account && input.userName) user = await findUserByName(this.db, account.id, input.userName);
    }
    // A known user is one tally however it is named; an unknown one is tallied by what was given.
    // (Hashed: the names given may be long, and the throttle keeps many of them.)
    const who = user
      ? `user:${user.id}`
      : `name:${hash('sha256', JSON.stringify([input.userId, input.accountId ?? input.accountName, input.userName]))}`;
    const address = input.address ?? '';
    const locked = this.logins?.lockedFor(who, address) ?? 0;
    if (locked > 0) throw new AtelierError('loginThrottled', { seconds: Math.ceil(locked / 1000) });
    this.logins?.begin(who, address);
    try {
      const issued = await this.checkPasswordLogin(user, input);
      this.logins?.succeeded(who, address);
      return issued;
    } catch (error) {
      const delay = this.logins?.delayFor(who) ?? 0;
      this.logins?.refused(who, address);
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      throw error;
    }
  }

  private async checkPasswordLogin(
    user: Awaited<ReturnType<typeof findUser>>,
    input: { password: string; project: { id?: string; name?: string } },
  ) {
    const refuse = () =>
      new AtelierError('unauthorized', { reason: 'the user name, password or project scope is wrong' });
    // Hash even when the user does not exist, so the time taken does not tell.
    const password = await verifyPassword(input.password, user?.password_hash ?? DUMMY_PASSWORD_HASH);
    if (!user || !password.ok || user.disabled) throw refuse();
    const account = await findAccount(this.db, user.account_id);
    if (!account || account.disabled) throw refuse();
    const granted = await grantedProjects(this.db, 'user', user.id);
    const projects = (await listProjects(this.db)).filter((p) => granted.includes(p.id));
    const project = projects.find((p) =>
      input.project.id ? p.id === input.project.id : p.name === input.project.name,
    );
    if (!project) throw refuse();
    // A hash made with weaker parameters than today's is replaced while the password is at hand.
    if (!password.current) await updateUserPasswordHash(this.db, user.id, await hashPassword(input.password));
    const issued = await this.issueToken(account.id, project.id, { userId: user.id });
    return {
      ...issued,
      user: { id: user.id, name: user.name },
      account: { id: account.id, name: account.name },
      project: { id: project.id, name: project.name },
    };
  }

  async setCredentialSecret(accessKey: string, secretKey: string): Promise<void> {
    await updateCredentialSecret(this.db, accessKey, this.options.secrets.seal(secretKey));
    this.forget(accessKey);
  }

  /** The account a credential belongs to, or undefined when there is no such credential. */
  async credentialOwner(accessKey: string): Promise<string | undefined> {
    return (await findCredential(this.db, accessKey))?.account_id;
  }

  async credentialSecretMatches(accessKey: string, secretKey: string): Promise<boolean | undefined> {
    const row = await findCredential(this.db, accessKey);
    if (!row) return undefined;
    return this.options.secrets.open(row.secret_sealed) === secretKey;
  }

  /** Projects a principal may see, with their names (for GET /v3/projects). */
  async visibleProjects(
    principal: Principal,
  ): Promise<Array<{ id: string; name: string; accountId: string | null; createdAt: Date }>> {
    const rows = await listProjects(this.db);
    return rows
      .filter((p) => principal.projectIds.has(p.id))
      .map((p) => ({ id: p.id, name: p.name, accountId: p.account_id, createdAt: fromDbTime(p.created_at) }));
  }
}

/** Every account's name by its id (for an export). */
export async function accountNames(db: Executor): Promise<Map<string, string>> {
  return new Map((await listAccounts(db)).map((a) => [a.id, a.name]));
}

/**
 * Every credential with the projects it is granted, for an export; its secret
 * key only when `secrets` is given to open it.
 */
export async function listCredentialGrants(
  db: Executor,
  secrets?: SecretBox,
): Promise<
  Array<{ accessKey: string; accountId: string; description: string; secretKey?: string; projectIds: string[] }>
> {
  const credentials = [];
  for (const row of await listCredentials(db)) {
    credentials.push({
      accessKey: row.access_key,
      accountId: row.account_id,
      description: row.description,
      ...(secrets ? { secretKey: secrets.open(row.secret_sealed) } : {}),
      projectIds: await grantedProjects(db, 'credential', row.access_key),
    });
  }
  return credentials;
}
