import type { Executor } from '../db/database.js';
import type { NodePhase } from './node.lifecycle.js';
import type { NodeRecord } from './node.record.js';
import { toNodeRecord } from './node.store.js';

// Lookups of single nodes by what identifies them besides their name: the IP in
// their network, a mark an emulator fault left (node.store.ts holds the rest).

/** The nodes of a network (networkKeyOf, or a pool's own range) that hold one of `ips`. */
export async function selectNodesByIp(tx: Executor, networkKey: string, ips: readonly string[]): Promise<NodeRecord[]> {
  if (ips.length === 0) return [];
  const rows = await tx
    .selectFrom('nodes')
    .selectAll()
    .where('network_key', '=', networkKey)
    .where('private_ip', 'in', [...ips])
    .execute();
  return rows.map(toNodeRecord);
}

/**
 * The nodes of a pool in one of `phases` that carry annotation `key` (the few a node
 * fault marked): a scan of the pool's nodes, for the emulator's faults only.
 */
export async function selectPoolNodesAnnotated(
  tx: Executor,
  poolId: number,
  key: string,
  phases: readonly NodePhase[],
): Promise<NodeRecord[]> {
  const rows = await tx
    .selectFrom('nodes')
    .selectAll()
    .where('pool_id', '=', poolId)
    .where('phase', 'in', [...phases])
    .where('annotations', 'like', `%${JSON.stringify(key)}:%`)
    .orderBy('id')
    .execute();
  return rows.map(toNodeRecord).filter((n) => n.annotations[key] !== undefined);
}
