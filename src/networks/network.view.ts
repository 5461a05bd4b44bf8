import { hash } from 'node:crypto';
import { objectMetadata } from '../shared/object-metadata.js';
import type { NetworkRecord } from './network.record.js';
import type { Network, NetworkSubnet } from './network.schema.js';

/**
 * The id of a network's subnet: UUID-shaped like the cloud's, derived from the network's name so it
 * is the same on every read and every replica without being stored.
 */
export function subnetIdOf(networkName: string): string {
  const h = hash('sha256', `subnet:${networkName}`, 'hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Decision 23: a network has its subnet once it is Active, and keeps it while Abnormal after that;
 * one whose provisioning failed never had one.
 */
function subnetsOf(network: NetworkRecord): NetworkSubnet[] | undefined {
  const provisioned = network.phase === 'Active' || (network.phase === 'Abnormal' && !network.failed);
  return provisioned ? [{ networkId: subnetIdOf(network.name), cidr: network.spec.cidr }] : undefined;
}

/** The wire object of a network. The answer shares the record's objects: serialise it, do not change it. */
export function toNetwork(network: NetworkRecord): Network {
  const subnets = subnetsOf(network);
  return {
    apiVersion: 'v1',
    kind: 'Network',
    metadata: objectMetadata(network),
    spec: network.spec,
    status: {
      phase: network.phase,
      connectionStatus: network.connectionStatus,
      ...(subnets ? { subnets } : {}),
    },
  };
}
