/**
 * The pool lifecycle as data (pools.md §0 and §4): the phases, which moves are
 * allowed, and how each phase is counted. Code asks these tables instead of
 * comparing phase strings.
 */
export const POOL_PHASES = [
  'Waiting',
  'Creating',
  'Running',
  'Abnormal',
  'ScalingFailed',
  'Error',
  'CreationFailed',
  'Deleting',
] as const;
export type PoolPhase = (typeof POOL_PHASES)[number];

export const POOL_TRANSITIONS: Readonly<Record<PoolPhase, readonly PoolPhase[]>> = Object.freeze({
  // An unpaid yearly/monthly order that expires ends its pool as a failure record (decision 19).
  Waiting: ['Creating', 'Deleting', 'CreationFailed'],
  Creating: ['Running', 'CreationFailed', 'Deleting'],
  Running: ['Abnormal', 'ScalingFailed', 'Error', 'Deleting'],
  Abnormal: ['Running', 'Deleting'],
  ScalingFailed: ['Running', 'Deleting'],
  Error: ['Deleting'],
  CreationFailed: ['Deleting'],
  // A simulated teardown failure (docs/emulator.md) leaves the pool in Error; a second DELETE retries.
  Deleting: ['Error'],
});

export const STATISTICS_BUCKETS = ['creating', 'created', 'pending', 'deleting', 'failed'] as const;
export type StatisticsBucket = (typeof STATISTICS_BUCKETS)[number];

/** Decision 5: which statistics bucket (and ListPools `status`) each phase falls in. */
export const POOL_BUCKET: Readonly<Record<PoolPhase, StatisticsBucket>> = Object.freeze({
  Waiting: 'pending',
  Creating: 'creating',
  Running: 'created',
  Abnormal: 'created',
  ScalingFailed: 'created',
  Error: 'created',
  CreationFailed: 'failed',
  Deleting: 'deleting',
});

/** The bucket of a phase as the usage counters name it; undefined for a name the table does not know. */
export const bucketOfPhase = (phase: string): StatisticsBucket | undefined =>
  (POOL_BUCKET as Readonly<Record<string, StatisticsBucket | undefined>>)[phase];

export function phasesInBucket(bucket: StatisticsBucket): PoolPhase[] {
  return POOL_PHASES.filter((p) => POOL_BUCKET[p] === bucket);
}

/** Decision 2: every pool that holds or is acquiring capacity counts against the quota. */
export const POOL_QUOTA_PHASES: ReadonlySet<string> = new Set(POOL_PHASES.filter((p) => p !== 'CreationFailed'));

/** The phase a new pool starts in when its nodes are free now, and when it must queue for them (decision 10). */
export const POOL_ENTRY = Object.freeze({ admitted: 'Creating', queued: 'Waiting' } as const satisfies Record<
  string,
  PoolPhase
>);

/** Decision 8: what ListPools shows when no `status` is given. */
export const POOL_LISTED_BY_DEFAULT: readonly PoolPhase[] = POOL_PHASES.filter((p) => p !== 'CreationFailed');

/** Phases in which user changes to metadata are accepted (decision 9). */
export const POOL_PATCHABLE: ReadonlySet<PoolPhase> = new Set(
  POOL_PHASES.filter((p) => p !== 'Creating' && p !== 'Deleting'),
);

/** Phases in which spec.resources / spec.scope / spec.driver may change (pools.md §6.4). */
export const POOL_SCALABLE: ReadonlySet<PoolPhase> = new Set<PoolPhase>(['Running', 'ScalingFailed']);

/**
 * Phases during which a pool may hold nodes of its flavors (decision 10): movePool
 * releases them when a pool leaves these phases; a removed pool's nodes go with
 * its row. A Waiting pool being deleted holds none in Deleting: it never took any.
 */
export const POOL_HOLDS_CAPACITY: ReadonlySet<PoolPhase> = new Set<PoolPhase>([
  'Creating',
  'Running',
  'Abnormal',
  'ScalingFailed',
  'Error',
  'Deleting',
]);

/** The phase in which a pool takes the nodes of its spec, on entering it (at creation or admission). */
export const POOL_ACQUIRES_CAPACITY: ReadonlySet<PoolPhase> = new Set<PoolPhase>(['Creating']);

/**
 * status.scope: a job type's state, from asked for to settled (pools.md §0 and §3.4): Enabling →
 * Enabled, or EnableFailed (a `scope` fault), which RetryPoolScope sends back to Enabling; a type
 * removed by PATCH goes Disabling → Disabled, and a Disabled entry is dropped at the next change of
 * spec.scope that does not ask for it again.
 */
export const SCOPE_STATES = ['Enabling', 'Enabled', 'EnableFailed', 'Disabling', 'Disabled'] as const;
export type ScopeState = (typeof SCOPE_STATES)[number];

/** What the engine makes of a state when it settles a pool's scopes; a state not listed is settled already. */
export const SCOPE_SETTLES_TO: Readonly<Partial<Record<ScopeState, ScopeState>>> = Object.freeze({
  Enabling: 'Enabled',
  Disabling: 'Disabled',
});

/** The state a failed enabling ends in, and the state RetryPoolScope retries from. */
export const SCOPE_FAILED: ScopeState = 'EnableFailed';

/** How long a failure stays in the `failed` statistics bucket (decision 5). */
export const FAILED_WINDOW_MS = 72 * 3_600_000;
/** Decision 5: the `failed` bucket never reports more than this. */
export const FAILED_CAP = 500;

/** The statistics bucket a failure record is counted in, from its own index (not the usage counters). */
export const FAILED_BUCKET: StatisticsBucket = 'failed';

/** A move the table allows; staying in a phase (a change of the pool's other fields) is always allowed. */
export function canMove(from: PoolPhase, to: PoolPhase): boolean {
  return from === to || POOL_TRANSITIONS[from].includes(to);
}
