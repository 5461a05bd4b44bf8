import { Type, type Static } from '@sinclair/typebox';
import { PROJECT_ID_PATTERN } from '../shared/conventions.js';
import { NetworkConnection } from '../networks/network.schema.js';
import { PoolSpec } from '../pools/pool.schema.js';
import { MAX_QUOTA } from '../shared/limits.js';
import { SubmitWorkloadBody } from '../workloads/workload.schema.js';
import { DRIVER_PHASES } from '../nodes/node.lifecycle.js';
import { Taint } from '../nodes/node.schema.js';
import { StringEnum } from '../shared/string-enum.js';

/**
 * The seed file (ATELIER_SEED_FILE, JSON or YAML) and what `atelier export` writes:
 * a known world a CI job starts from (docs/emulator.md, "Seed data"). Resources are
 * named by their display names (`os.modelarts/name`), which make loading idempotent.
 */

const StringMap = Type.Record(Type.String({ minLength: 1, maxLength: 253 }), Type.String({ maxLength: 4096 }));

export const SEED_NETWORK_PHASES = ['Creating', 'Active'] as const;
export const SEED_POOL_PHASES = [
  'Creating',
  'Running',
  'Abnormal',
  'ScalingFailed',
  'Error',
  'CreationFailed',
] as const;

export const SeedNetwork = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, description: 'display name (os.modelarts/name)' }),
    workspaceId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    cidr: Type.String({ minLength: 9, maxLength: 18 }),
    ipv6enable: Type.Optional(Type.Boolean()),
    connection: Type.Optional(NetworkConnection),
    labels: Type.Optional(StringMap),
    annotations: Type.Optional(StringMap),
    phase: Type.Union(
      SEED_NETWORK_PHASES.map((p) => Type.Literal(p)),
      { default: 'Active' },
    ),
  },
  { additionalProperties: false },
);
export type SeedNetwork = Static<typeof SeedNetwork>;

/** The node phases a seeded node may start in (a pool's nodes in passing are written as where they head). */
export const SEED_NODE_PHASES = ['Available', 'Abnormal'] as const;

/**
 * One node of a seeded pool (docs/emulator.md, "Seeding nodes"): it takes the
 * place of one of the nodes its node pool's `count` asks for; the others are
 * generated as a pool's creation makes them. What is not given is generated.
 */
export const SeedNode = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' }),
    /** A node pool of the pool's spec.resources; default: the one entry of the node's flavor, or the only entry. */
    nodePool: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** Must be the node pool's flavor; a check, since the node pool decides it. */
    flavor: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    /** Default: as the pool's phase leaves its nodes (Abnormal in an Abnormal pool, else Available). */
    phase: Type.Optional(StringEnum(SEED_NODE_PHASES)),
    /** Locked against deletion (batch-lock): `os.modelarts.node/lock.action` set. */
    locked: Type.Optional(Type.Boolean()),
    az: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** Inside the pool's network CIDR and unused in that network; default: the next free address. */
    privateIp: Type.Optional(Type.String({ minLength: 7, maxLength: 15 })),
    /** GPU and NPU nodes only; default: the driver phase of the node's phase. */
    driverPhase: Type.Optional(StringEnum(DRIVER_PHASES)),
    /** Merged over the labels the node is given (node pool, instance id, …). */
    labels: Type.Optional(StringMap),
    annotations: Type.Optional(StringMap),
    taints: Type.Optional(Type.Array(Taint, { maxItems: 64 })),
  },
  { additionalProperties: false },
);
export type SeedNode = Static<typeof SeedNode>;

export const SeedPool = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, description: 'display name (os.modelarts/name)' }),
    /** Display name of a network of the same project; Logical pools have none. */
    network: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    workspaceId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    labels: Type.Optional(StringMap),
    annotations: Type.Optional(StringMap),
    spec: Type.Omit(PoolSpec, ['network'], { additionalProperties: false }),
    phase: Type.Union(
      SEED_POOL_PHASES.map((p) => Type.Literal(p)),
      { default: 'Running' },
    ),
    /** status.message of a failure phase. */
    message: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    /** Nodes of the pool described one by one (not for a Creating or CreationFailed pool). */
    nodes: Type.Optional(Type.Array(SeedNode, { maxItems: 100_000 })),
    /** Workloads submitted to the pool once it is created, in order (docs/emulator.md, "Workloads"). */
    workloads: Type.Optional(
      Type.Array(Type.Omit(SubmitWorkloadBody, ['project', 'pool'], { additionalProperties: false }), {
        maxItems: 1000,
      }),
    ),
  },
  { additionalProperties: false },
);
export type SeedPool = Static<typeof SeedPool>;

export const SeedProject = Type.Object(
  {
    /** Kept as given; without it the project is found by name, or created with a new id. */
    id: Type.Optional(Type.String({ pattern: PROJECT_ID_PATTERN })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    account: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'account name; default "default"' }),
    ),
    quotas: Type.Optional(
      Type.Object(
        {
          pool: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_QUOTA })),
          network: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_QUOTA })),
        },
        { additionalProperties: false },
      ),
    ),
    networks: Type.Optional(Type.Array(SeedNetwork)),
    pools: Type.Optional(Type.Array(SeedPool)),
  },
  { additionalProperties: false },
);
export type SeedProject = Static<typeof SeedProject>;

export const SeedCredential = Type.Object(
  {
    accessKey: Type.String({ pattern: '^[A-Za-z0-9]{8,64}$' }),
    /** Needed to create the credential; `atelier export` writes it only with --include-secrets. */
    secretKey: Type.Optional(Type.String({ minLength: 16, maxLength: 128 })),
    account: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    description: Type.Optional(Type.String({ maxLength: 255 })),
    /** Project ids or names (of projects of this file or already in the database). */
    projects: Type.Array(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type SeedCredential = Static<typeof SeedCredential>;

export const SeedFile = Type.Object(
  {
    projects: Type.Optional(Type.Array(SeedProject)),
    credentials: Type.Optional(Type.Array(SeedCredential)),
  },
  { additionalProperties: false },
);
export type SeedFile = Static<typeof SeedFile>;
