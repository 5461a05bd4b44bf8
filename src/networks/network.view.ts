import { objectMetadata } from '../shared/object-metadata.js';
import type { NetworkRecord } from './network.record.js';
import type { Network } from './network.schema.js';

/** The wire object of a network. The answer shares the record's objects: serialise it, do not change it. */
export function toNetwork(network: NetworkRecord): Network {
  return {
    apiVersion: 'v1',
    kind: 'Network',
    metadata: objectMetadata(network),
    spec: network.spec,
    status: { phase: network.phase, connectionStatus: network.connectionStatus },
  };
}
