import { badRequest } from '../errors.js';
import type { ConnectionStatus, NetworkConnection, NetworkSpec } from './network.schema.js';

// What a network's connections look like as they settle (quotas-networks.md §2.7).

/** An address inside the network for an SFS Turbo attachment: stable per position. */
function addressIn(cidr: string, index: number): string {
  const [base] = cidr.split('/');
  const n = base.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0) + 10 + index;
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/**
 * What status.connectionStatus should say right after the spec changed: items
 * already connected keep their state, new ones start connecting, removed SFS
 * attachments pass through Deleting (quotas-networks.md §2.7).
 */
export function plannedConnectionStatus(spec: NetworkSpec, previous: ConnectionStatus): ConnectionStatus {
  const status: ConnectionStatus = {};
  const peers = spec.connection.peerConnectionList ?? [];
  if (peers.length > 0) {
    status.peerConnectionStatus = peers.map((peer) => {
      const known = previous.peerConnectionStatus?.find(
        (p) => p.peerVpcId === peer.peerVpcId && p.peerSubnetId === peer.peerSubnetId,
      );
      return {
        peerVpcId: peer.peerVpcId,
        peerSubnetId: peer.peerSubnetId,
        defaultGateWay: peer.defaultGateWay ?? false,
        phase: known?.phase ?? 'Connecting',
      };
    });
  }
  const wanted = spec.connection.sfsTurboConnectionList ?? [];
  const knownOf = (sfsId: string) => previous.sfsTurboStatus?.find((s) => s.sfsId === sfsId && s.status !== 'Deleting');
  const leaving = (previous.sfsTurboStatus ?? [])
    .filter((old) => !wanted.some((w) => w.sfsId === old.sfsId))
    .map((old) => ({ ...old, status: 'Deleting' as const }));
  // A new attachment takes the first address no listed attachment holds: numbering by list
  // position alone gave a newcomer the address of one that had moved up after a removal.
  const taken = new Set([...wanted.map((w) => knownOf(w.sfsId)?.ipAddr), ...leaving.map((s) => s.ipAddr)]);
  let next = 0;
  const freeAddress = (): string => {
    let address = addressIn(spec.cidr, next++);
    while (taken.has(address)) address = addressIn(spec.cidr, next++);
    taken.add(address);
    return address;
  };
  const sfs = wanted.map((item) => {
    const known = knownOf(item.sfsId);
    return {
      name: item.name,
      sfsId: item.sfsId,
      connectionType: 'VpcPort',
      ipAddr: known?.ipAddr ?? freeAddress(),
      status: known?.status ?? 'Creating',
    };
  });
  sfs.push(...leaving);
  if (sfs.length > 0) status.sfsTurboStatus = sfs;
  return status;
}

/** The connection status once provisioning finished: everything connected, removals gone. */
export function settledConnectionStatus(status: ConnectionStatus): ConnectionStatus {
  const settled: ConnectionStatus = {};
  if (status.peerConnectionStatus?.length) {
    settled.peerConnectionStatus = status.peerConnectionStatus.map((p) => ({
      ...p,
      phase: p.phase === 'Connecting' ? 'Active' : p.phase,
    }));
  }
  const sfs = (status.sfsTurboStatus ?? [])
    .filter((s) => s.status !== 'Deleting')
    .map((s) => ({ ...s, status: s.status === 'Creating' ? 'Active' : s.status }));
  if (sfs.length > 0) settled.sfsTurboStatus = sfs;
  return settled;
}

export function connectionPending(status: ConnectionStatus): boolean {
  return (
    (status.peerConnectionStatus ?? []).some((p) => p.phase === 'Connecting') ||
    (status.sfsTurboStatus ?? []).some((s) => s.status === 'Creating' || s.status === 'Deleting')
  );
}

export function checkConnection(connection: NetworkConnection | undefined): void {
  const peers = connection?.peerConnectionList ?? [];
  const seen = new Set<string>();
  for (const peer of peers) {
    const key = `${peer.peerVpcId}/${peer.peerSubnetId}`;
    if (seen.has(key)) throw badRequest(`spec.connection.peerConnectionList: ${key} is listed twice`);
    seen.add(key);
  }
  const sfsIds = new Set<string>();
  for (const sfs of connection?.sfsTurboConnectionList ?? []) {
    if (sfsIds.has(sfs.sfsId)) throw badRequest(`spec.connection.sfsTurboConnectionList: ${sfs.sfsId} is listed twice`);
    sfsIds.add(sfs.sfsId);
  }
}

export function normaliseConnection(connection: NetworkConnection | undefined): NetworkConnection {
  const result: NetworkConnection = {};
  if (connection?.peerConnectionList?.length) {
    result.peerConnectionList = connection.peerConnectionList.map((p) => ({
      ...p,
      defaultGateWay: p.defaultGateWay ?? false,
    }));
  }
  if (connection?.sfsTurboConnectionList?.length) result.sfsTurboConnectionList = connection.sfsTurboConnectionList;
  return result;
}
