import type { Executor } from '../db/database.js';
import { toDbTime } from '../db/database.js';
import { param, preparedStatement } from '../db/prepared-read.js';
import type { NodeRow } from '../db/schema.js';
import type { NodePhase } from './node.lifecycle.js';
import type { NodeRecord } from './node.record.js';
import { toNodeRecord } from './node.store.js';

// Lookups of nodes by what identifies them besides their name: the IP in their
// network, a mark an emulator fault left, a due time (node.store.ts holds the rest).

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

// A pool's nodes due to come up that no engine holds a lease on, from the (pool_id, name) index.
const dueCreatingNodes = preparedStatement<{ poolId: number; now: string }, NodeRow>((db) =>
  db
    .selectFrom('nodes')
    .selectAll()
    .where('pool_id', '=', param<number>('poolId'))
    .where('phase', '=', 'Creating')
    .where('due_at', '<=', param('now'))
    .where((w) => w.or([w('lease_expires_at', 'is', null), w('lease_expires_at', '<', param('now'))]))
    .orderBy('name'),
);

/**
 * A pool's Creating nodes due at `now` that no engine holds: what the pool's own
 * creation step brings up with it (pools/pool.steps.ts), instead of leaving them
 * to a node step of their own in the same pass.
 */
export async function selectDueCreatingNodes(tx: Executor, poolId: number, now: Date): Promise<NodeRecord[]> {
  return (await dueCreatingNodes(tx, { poolId, now: toDbTime(now) })).map(toNodeRecord);
}
