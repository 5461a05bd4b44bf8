import { claimDue } from '../db/claims.js';
import type { Database } from '../db/database.js';
import type { NodeRecord } from './node.record.js';
import { toNodeRecord } from './node.store.js';

/**
 * Claims up to `limit` due nodes for the engine `owner` (db/claims.ts). The
 * engine works them a pool at a time (pools/pool.nodes.ts), so the nodes of a
 * pool that fall due together move in one transaction and one roll-up.
 */
export async function claimDueNodes(
  database: Database,
  owner: string,
  now: Date,
  leaseMs: number,
  limit: number,
  onTakeover?: (count: number) => void,
): Promise<NodeRecord[]> {
  return (await claimDue(database, 'nodes', owner, now, leaseMs, limit, onTakeover)).map(toNodeRecord);
}
