import { ListMetadata, ObjectMetadata, ProjectIdParam } from '../http/wire.js';
import { LabelMap } from '../shared/metadata-limits.js';
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../shared/string-enum.js';
import { NETWORK_PHASES, PEER_CONNECTION_PHASES, SFS_TURBO_STATES } from './network.lifecycle.js';

const PeerConnection = Type.Object(
  {
    peerVpcId: Type.String({ minLength: 1, maxLength: 64 }),
    peerSubnetId: Type.String({ minLength: 1, maxLength: 64 }),
    defaultGateWay: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const SfsTurboConnection = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    sfsId: Type.String({ minLength: 1, maxLength: 64 }),
    // The Terraform provider sends the network's own subnet (status.subnets[0].networkId) with each
    // attachment (orders-billing-terraform.md §3.1); it is kept and shown as sent.
    subnetId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const NetworkConnection = Type.Object(
  {
    peerConnectionList: Type.Optional(Type.Array(PeerConnection, { maxItems: 100 })),
    sfsTurboConnectionList: Type.Optional(Type.Array(SfsTurboConnection, { maxItems: 100 })),
  },
  { additionalProperties: false },
);
export type NetworkConnection = Static<typeof NetworkConnection>;

const PeerConnectionStatus = Type.Object({
  peerVpcId: Type.String(),
  peerSubnetId: Type.String(),
  defaultGateWay: Type.Boolean(),
  phase: StringEnum(PEER_CONNECTION_PHASES),
});
const SfsTurboStatus = Type.Object({
  name: Type.String(),
  sfsId: Type.String(),
  connectionType: Type.String(),
  ipAddr: Type.String(),
  status: StringEnum(SFS_TURBO_STATES),
});
export const ConnectionStatus = Type.Object({
  peerConnectionStatus: Type.Optional(Type.Array(PeerConnectionStatus)),
  sfsTurboStatus: Type.Optional(Type.Array(SfsTurboStatus)),
});
export type ConnectionStatus = Static<typeof ConnectionStatus>;

/** The subnet an Active network provides (decision 23); its id is what the Terraform provider reads. */
export const NetworkSubnet = Type.Object({ networkId: Type.String(), cidr: Type.String() });
export type NetworkSubnet = Static<typeof NetworkSubnet>;

/** spec as the server keeps and shows it: the defaults filled in. */
export const NetworkSpec = Type.Object({
  cidr: Type.String(),
  ipv6enable: Type.Boolean(),
  connection: NetworkConnection,
});
export type NetworkSpec = Static<typeof NetworkSpec>;

/** The Network object (quotas-networks.md §2.1). */
export const Network = Type.Object(
  {
    apiVersion: Type.Literal('v1'),
    kind: Type.Literal('Network'),
    metadata: ObjectMetadata(LabelMap),
    spec: NetworkSpec,
    status: Type.Object({
      phase: StringEnum(NETWORK_PHASES),
      connectionStatus: ConnectionStatus,
      subnets: Type.Optional(Type.Array(NetworkSubnet)),
    }),
  },
  { $id: 'Network' },
);
export type Network = Static<typeof Network>;

export const CreateNetworkBody = Type.Object(
  {
    apiVersion: Type.Literal('v1'),
    kind: Type.Literal('Network'),
    metadata: Type.Object(
      {
        labels: Type.Intersect([
          Type.Object({
            'os.modelarts/name': Type.String(),
            'os.modelarts/workspace.id': Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          }),
          LabelMap,
        ]),
        annotations: Type.Optional(LabelMap),
      },
      { additionalProperties: false },
    ),
    spec: Type.Object(
      {
        cidr: Type.String({ maxLength: 32 }),
        ipv6enable: Type.Optional(Type.Boolean()),
        connection: Type.Optional(NetworkConnection),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type CreateNetworkBody = Static<typeof CreateNetworkBody>;

/** Merge patch (RFC 7396) over the patchable fields; null removes the description. */
export const PatchNetworkBody = Type.Object(
  {
    metadata: Type.Optional(
      Type.Object(
        {
          labels: Type.Optional(
            Type.Object(
              { 'os.modelarts/workspace.id': Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
              { additionalProperties: false },
            ),
          ),
          annotations: Type.Optional(
            Type.Object(
              { 'os.modelarts/description': Type.Optional(Type.Union([Type.String(), Type.Null()])) },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    spec: Type.Optional(
      Type.Object(
        {
          ipv6enable: Type.Optional(Type.Boolean()),
          connection: Type.Optional(
            Type.Object(
              {
                peerConnectionList: Type.Optional(
                  Type.Union([Type.Array(PeerConnection, { maxItems: 100 }), Type.Null()]),
                ),
                sfsTurboConnectionList: Type.Optional(
                  Type.Union([Type.Array(SfsTurboConnection, { maxItems: 100 }), Type.Null()]),
                ),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type PatchNetworkBody = Static<typeof PatchNetworkBody>;

export const NetworkParams = Type.Object({
  project_id: ProjectIdParam,
  // No length rule (quotas-networks.md §2.2, N10): an over-long name is just unknown, so 404.
  // The router's maxParamLength still bounds it.
  network_name: Type.String({ minLength: 1 }),
});

export const ListNetworksQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 500 })),
  continue: Type.Optional(Type.String({ maxLength: 512 })),
  labelSelector: Type.Optional(Type.String({ maxLength: 1024 })),
  workspaceId: Type.Optional(Type.String({ maxLength: 64 })),
});
export type ListNetworksQuery = Static<typeof ListNetworksQuery>;

export const NetworkList = Type.Object(
  {
    apiVersion: Type.Literal('v1'),
    kind: Type.Literal('NetworkList'),
    metadata: ListMetadata,
    items: Type.Array(Network),
  },
  { $id: 'NetworkList' },
);
export type NetworkList = Static<typeof NetworkList>;

/** ShowNetworkAvailableIp's query (plugins-scheduled-events-misc.md §4): the subnet, required as the SDK has it. */
export const NetworkAvailableIpQuery = Type.Object({
  network_id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }),
});
export type NetworkAvailableIpQuery = Static<typeof NetworkAvailableIpQuery>;

/** The free addresses of a network's subnet (plugins-scheduled-events-misc.md §4, D-I1). */
export const NetworkAvailableIp = Type.Object({
  name: Type.String(),
  networkId: Type.String(),
  subnetIpAvailability: Type.Array(
    Type.Object({
      cidr: Type.String(),
      ipVersion: Type.Integer(),
      usedIps: Type.Integer(),
      totalIps: Type.Integer(),
    }),
  ),
});
export type NetworkAvailableIp = Static<typeof NetworkAvailableIp>;
