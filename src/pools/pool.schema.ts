import { Type, type Static } from '@sinclair/typebox';
import { ObjectMetadata, ProjectIdParam } from '../http/wire.js';
import { StringEnum } from '../shared/string-enum.js';
import { PLUGIN_PHASES } from '../plugins/plugin.lifecycle.js';
import { POOL_PHASES, SCOPE_STATES, STATISTICS_BUCKETS } from './pool.lifecycle.js';
import { AnnotationMap, AnnotationPatch, LabelMap, LabelPatch } from '../shared/metadata-limits.js';

const StringMap = Type.Record(Type.String({ minLength: 1, maxLength: 253 }), Type.String({ maxLength: 4096 }));
const Scope = Type.Union([Type.Literal('Train'), Type.Literal('Infer'), Type.Literal('Notebook')]);

const Az = Type.Object(
  { az: Type.String({ minLength: 1, maxLength: 64 }), count: Type.Integer({ minimum: 1, maximum: 2000 }) },
  { additionalProperties: false },
);
/** Free-form parameters a client configures as JSON (the Terraform provider's `extend_params`). */
const ExtendParams = Type.Record(
  Type.String({ minLength: 1, maxLength: 253 }),
  Type.Union([Type.String({ maxLength: 4096 }), Type.Number(), Type.Boolean()]),
);
/** A disk size in GiB, as a string: `100`, or `100Gi` as the Terraform provider's documentation writes it. */
const VolumeSize = Type.String({ pattern: '^[0-9]{1,6}(Gi)?$' });
const Volume = Type.Object(
  {
    volumeType: Type.Union([Type.Literal('SSD'), Type.Literal('GPSSD'), Type.Literal('SAS')]),
    size: VolumeSize,
    extendParams: Type.Optional(ExtendParams),
  },
  { additionalProperties: false },
);
const Taint = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 253 }),
    value: Type.Optional(Type.String({ maxLength: 63 })),
    effect: Type.Union([Type.Literal('NoSchedule'), Type.Literal('PreferNoSchedule'), Type.Literal('NoExecute')]),
  },
  { additionalProperties: false },
);
/** pools.md §3.3: the volume groups a data disk or a volume group configuration may name. */
const VOLUME_GROUP =
  '^(vgpaas|default|vguser[0-9]{1,4}|vg-everest-localvolume-persistent|vg-everest-localvolume-ephemeral)$';
const DataVolume = Type.Object(
  {
    volumeType: Type.Union([Type.Literal('SSD'), Type.Literal('GPSSD'), Type.Literal('SAS')]),
    size: VolumeSize,
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
    // pools.md §3.3 names volumeGroup and its values; the SDK's answer adds `billing`, and the
    // provider's documentation configures both. Other keys are kept as strings.
    extendParams: Type.Optional(
      Type.Object(
        { volumeGroup: Type.Optional(Type.String({ pattern: VOLUME_GROUP })) },
        { additionalProperties: Type.String({ maxLength: 4096 }) },
      ),
    ),
  },
  { additionalProperties: false },
);
const VolumeGroupConfig = Type.Object(
  {
    volumeGroup: Type.String({ pattern: VOLUME_GROUP }),
    dockerThinPool: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    lvmConfig: Type.Optional(
      Type.Object(
        { lvType: Type.Union([Type.Literal('linear'), Type.Literal('striped')]), path: Type.Optional(Type.String()) },
        { additionalProperties: false },
      ),
    ),
    types: Type.Optional(Type.Array(Type.Union([Type.Literal('volume'), Type.Literal('local')]))),
  },
  { additionalProperties: false },
);

/**
 * One flavor of a pool (pools.md §3.3). nodePool, labels, taints and driver are what the Terraform
 * provider sends and echoes back on every PATCH (orders-billing-terraform.md §3.2); they are kept and
 * shown as sent.
 */
export const PoolResource = Type.Object(
  {
    flavor: Type.String({ minLength: 1, maxLength: 128 }),
    count: Type.Integer({ minimum: 1, maximum: 2000 }),
    maxCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000 })),
    // The node pool of this entry (nodepools-nodes-jobs.md §4), `<flavor>-default` when absent; long
    // enough for those names, which clients echo. Its rules are checked with a clear message
    // (pool.checks.ts checkNodePoolName).
    nodePool: Type.Optional(Type.String({ minLength: 1, maxLength: 136 })),
    labels: Type.Optional(StringMap),
    // The node pool's own subnet (orders-billing-terraform.md §3.2: the provider's resources[].vpc_id,
    // subnet_id and security_group_ids); kept and shown as sent.
    network: Type.Optional(
      Type.Object(
        {
          vpc: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          subnet: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          securityGroups: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 5 })),
        },
        { additionalProperties: false },
      ),
    ),
    taints: Type.Optional(Type.Array(Taint, { maxItems: 20 })),
    driver: Type.Optional(
      Type.Object({ version: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
    ),
    azs: Type.Optional(Type.Array(Az, { maxItems: 10 })),
    tags: Type.Optional(
      Type.Array(
        Type.Object(
          { key: Type.String({ minLength: 1, maxLength: 128 }), value: Type.String({ maxLength: 255 }) },
          { additionalProperties: false },
        ),
      ),
    ),
    extendParams: Type.Optional(StringMap),
    creatingStep: Type.Optional(
      Type.Object(
        { step: Type.Integer({ minimum: 1 }), type: Type.Union([Type.Literal('rack'), Type.Literal('hyperinstance')]) },
        { additionalProperties: false },
      ),
    ),
    rootVolume: Type.Optional(Volume),
    dataVolumes: Type.Optional(Type.Array(DataVolume, { maxItems: 16 })),
    volumeGroupConfigs: Type.Optional(Type.Array(VolumeGroupConfig, { maxItems: 16 })),
    os: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.String()),
          imageId: Type.Optional(Type.String()),
          imageType: Type.Optional(Type.String()),
          autoMatch: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type PoolResource = Static<typeof PoolResource>;

const ContainerNetwork = Type.Object(
  { cidr: Type.String({ maxLength: 32 }), mode: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
const Driver = Type.Object(
  {
    gpuVersion: Type.Optional(Type.String({ maxLength: 64 })),
    npuVersion: Type.Optional(Type.String({ maxLength: 64 })),
    updateStrategy: Type.Optional(Type.Union([Type.Literal('force'), Type.Literal('idle')])),
  },
  { additionalProperties: false },
);

/** spec as a client sends it on create (pools.md §3.2, request columns). */
export const PoolSpec = Type.Object(
  {
    type: Type.Union([Type.Literal('Dedicate'), Type.Literal('Logical')]),
    scope: Type.Optional(Type.Array(Scope, { uniqueItems: true, maxItems: 3 })),
    resources: Type.Array(PoolResource, { minItems: 1, maxItems: 10 }),
    network: Type.Optional(
      Type.Object({ name: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
    ),
    parent: Type.Optional(Type.String({ maxLength: 128 })),
    containerNetwork: Type.Optional(ContainerNetwork),
    containernetwork: Type.Optional(ContainerNetwork),
    kubernetesSvcIpRange: Type.Optional(Type.String({ maxLength: 32 })),
    masters: Type.Optional(
      Type.Array(Type.Object({ az: Type.String() }, { additionalProperties: false }), { maxItems: 3 }),
    ),
    clusterFlavor: Type.Optional(Type.String({ maxLength: 64 })),
    driver: Type.Optional(Driver),
    ipv6enable: Type.Optional(Type.Boolean()),
    jobFlavors: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 100 })),
    // The provider's user_login (pools.md §3.2): the key pair is kept and shown (its Read sets
    // user_login from spec.userLogin.keyPairName); a password is accepted and never kept.
    userLogin: Type.Optional(
      Type.Object(
        {
          keyPairName: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          password: Type.Optional(Type.String({ minLength: 8, maxLength: 64, writeOnly: true })),
        },
        { additionalProperties: false },
      ),
    ),
    // Decision 21: the Terraform provider sends `null` when no cluster is configured; a null is not
    // kept (plannedPool), so the answer has an array or nothing, never an object.
    clusters: Type.Optional(
      Type.Union([
        Type.Array(
          Type.Object(
            {
              providerId: Type.String({ minLength: 1, maxLength: 128 }),
              name: Type.Optional(Type.String({ maxLength: 128 })),
            },
            { additionalProperties: false },
          ),
          { maxItems: 10 },
        ),
        Type.Null(),
      ]),
    ),
  },
  { additionalProperties: false },
);
export type PoolSpec = Static<typeof PoolSpec>;

export const CreatePoolBody = Type.Object(
  {
    apiVersion: Type.Literal('v2'),
    kind: Type.Literal('Pool'),
    metadata: Type.Object(
      {
        labels: Type.Intersect([Type.Object({ 'os.modelarts/name': Type.String() }), LabelMap]),
        annotations: Type.Optional(AnnotationMap),
      },
      { additionalProperties: false },
    ),
    spec: PoolSpec,
  },
  { additionalProperties: false },
);
export type CreatePoolBody = Static<typeof CreatePoolBody>;

/**
 * PATCH is an RFC 7386 merge patch. The schema types the patchable fields; the
 * service names any other field the patch touches (pools.md §6.4).
 */
export const PatchPoolBody = Type.Object({
  metadata: Type.Optional(
    Type.Object({
      labels: Type.Optional(LabelPatch),
      annotations: Type.Optional(AnnotationPatch),
    }),
  ),
  spec: Type.Optional(
    Type.Object({
      scope: Type.Optional(Type.Union([Type.Array(Scope, { uniqueItems: true, maxItems: 3 }), Type.Null()])),
      resources: Type.Optional(Type.Union([Type.Array(PoolResource, { maxItems: 10 }), Type.Null()])),
      driver: Type.Optional(Type.Union([Driver, Type.Null()])),
      jobFlavors: Type.Optional(
        Type.Union([Type.Array(Type.String({ maxLength: 128 }), { maxItems: 100 }), Type.Null()]),
      ),
    }),
  ),
});
export type PatchPoolBody = Static<typeof PatchPoolBody>;

const NodeGroup = Type.Object({
  flavor: Type.String(),
  nodePool: Type.Optional(Type.String()),
  count: Type.Integer(),
  maxCount: Type.Integer(),
  azs: Type.Optional(Type.Array(Type.Object({ az: Type.String(), count: Type.Integer() }))),
});
export type NodeGroup = Static<typeof NodeGroup>;

export const PoolResourcesStatus = Type.Object({
  creating: Type.Optional(Type.Array(NodeGroup)),
  available: Type.Optional(Type.Array(NodeGroup)),
  abnormal: Type.Optional(Type.Array(NodeGroup)),
  deleting: Type.Optional(Type.Array(NodeGroup)),
});
export type PoolResourcesStatus = Static<typeof PoolResourcesStatus>;

export const ScopeStatus = Type.Object({
  scopeType: Type.String(),
  state: StringEnum(SCOPE_STATES),
  // Why enabling failed (EnableFailed only).
  message: Type.Optional(Type.String()),
});
export type ScopeStatus = Static<typeof ScopeStatus>;

/** A scope as the pool shows it (pools.md §3.4): with the phases of the plug-ins it runs on, once there are any. */
export const ScopeStatusView = Type.Object({
  ...ScopeStatus.properties,
  plugins: Type.Optional(Type.Array(Type.Object({ name: Type.String(), phase: StringEnum(PLUGIN_PHASES) }))),
});

/** The Pool object (pools.md §3). */
export const Pool = Type.Object(
  {
    apiVersion: Type.Literal('v2'),
    kind: Type.Literal('Pool'),
    metadata: ObjectMetadata(StringMap),
    spec: PoolSpec,
    status: Type.Object({
      phase: StringEnum(POOL_PHASES),
      message: Type.Optional(Type.String()),
      resources: PoolResourcesStatus,
      scope: Type.Array(ScopeStatusView),
      root: Type.String(),
      parent: Type.Optional(Type.String()),
    }),
  },
  { $id: 'Pool' },
);
export type Pool = Static<typeof Pool>;

export const PoolParams = Type.Object({
  project_id: ProjectIdParam,
  pool_name: Type.String({ minLength: 1, maxLength: 128 }),
});

export const ListPoolsQuery = Type.Object({
  workspaceId: Type.Optional(Type.String({ maxLength: 64 })),
  labelSelector: Type.Optional(Type.String({ maxLength: 1024 })),
  // The statistics buckets (decision 8); an enum, so the 400 names the allowed values.
  status: Type.Optional(StringEnum(STATISTICS_BUCKETS)),
  parent: Type.Optional(Type.String({ maxLength: 128 })),
});
export type ListPoolsQuery = Static<typeof ListPoolsQuery>;

export const PoolList = Type.Object(
  {
    apiVersion: Type.Literal('v2'),
    kind: Type.Literal('PoolList'),
    metadata: Type.Object({}),
    items: Type.Array(Pool),
  },
  { $id: 'PoolList' },
);
export type PoolList = Static<typeof PoolList>;

/** RetryPoolScope's body (pools.md §8): one job type, not a list. */
export const RetryPoolScopeBody = Type.Object({ scope: Scope }, { additionalProperties: false });
export type RetryPoolScopeBody = Static<typeof RetryPoolScopeBody>;

/** RetryPoolScope answers an empty object (pools.md §8). */
export const RetryPoolScopeResponse = Type.Object({}, { additionalProperties: false });
