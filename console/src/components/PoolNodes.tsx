import type { Pool } from '../api/client';

/**
 * The place of the pool's nodes table (phase, driver, IP, lock) and its batch actions (lock, unlock,
 * delete, reboot, drain). It is built with the node endpoints, which this console does not call yet.
 */
export function PoolNodes({ pool }: { pool: Pool }) {
  const total = pool.spec.resources.reduce((sum, r) => sum + r.count, 0);
  return (
    <section aria-labelledby="nodes-h" data-testid="pool-nodes">
      <h2 id="nodes-h">Nodes</h2>
      <p className="muted">
        {total} node{total === 1 ? '' : 's'} in the spec. The node table and its batch actions come with the node
        endpoints.
      </p>
    </section>
  );
}
