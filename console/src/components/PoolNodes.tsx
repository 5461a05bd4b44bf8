import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { unwrap, type ApiClient, type Pool, type PoolNode } from '../api/client';
import { POLL_MS } from '../queries';
import { useSession } from '../session';
import { ConfirmButton, Empty, ErrorBox, Loaded, PhaseBadge, Time } from '../ui';

/** The labels and annotations a node carries its node pool, lock and drain in (nodepools-nodes-jobs.md §1). */
const NODE_POOL_LABEL = 'os.modelarts.node/nodepoolname';
const LOCK_ANNOTATION = 'os.modelarts.node/lock.action';
const DRAIN_ANNOTATION = 'os.modelarts.node/drain';

export const PAGE_SIZES = [5, 20, 100] as const;

const isLocked = (node: PoolNode) => (node.metadata.annotations[LOCK_ANNOTATION] ?? '').split(',').includes('delete');
const isDrained = (node: PoolNode) => DRAIN_ANNOTATION in node.metadata.annotations;

type Action = 'lock' | 'unlock' | 'drain' | 'reboot' | 'delete';

/** One batch action on the named nodes; lock and unlock answer per node, the others all or nothing. */
async function runAction(api: ApiClient, projectId: string, pool: string, action: Action, nodeNames: string[]) {
  const path = { project_id: projectId, pool_name: pool };
  switch (action) {
    case 'lock':
    case 'unlock': {
      const url = `/v2/{project_id}/pools/{pool_name}/nodes/batch-${action}` as const;
      const body = await unwrap(api.POST(url, { params: { path }, body: { nodeNames, actions: ['delete'] } }));
      return body.nodes.filter((n) => n.status !== 'success').map((n) => n.name);
    }
    case 'drain':
      await unwrap(
        api.POST('/v2/{project_id}/pools/{pool_name}/nodes/batch-drain', { params: { path }, body: { nodeNames } }),
      );
      return [];
    case 'reboot':
      await unwrap(
        api.POST('/v2/{project_id}/pools/{pool_name}/nodes/batch-reboot', { params: { path }, body: { nodeNames } }),
      );
      return [];
    case 'delete':
      await unwrap(
        api.POST('/v2/{project_id}/pools/{pool_name}/nodes/batch-delete', {
          params: { path },
          body: { deleteNodeNames: nodeNames },
        }),
      );
      return [];
  }
}

const DONE: Record<Action, string> = {
  lock: 'locked',
  unlock: 'unlocked',
  drain: 'drained',
  reboot: 'rebooting',
  delete: 'being deleted',
};

/**
 * One page of the pool's nodes, read again with the other polls. Pages follow the API's `continue` tokens: the
 * console keeps the tokens of the pages before, so Previous goes back without counting.
 */
function useNodePage(pool: string, limit: number, token: string | undefined) {
  const { api, projectId } = useSession();
  return useQuery({
    queryKey: [projectId, 'nodes', pool, limit, token ?? ''],
    queryFn: () =>
      unwrap(
        api.GET('/v2/{project_id}/pools/{pool_name}/nodes', {
          params: {
            path: { project_id: projectId, pool_name: pool },
            query: token ? { limit, continue: token } : { limit },
          },
        }),
      ),
    refetchInterval: POLL_MS,
    placeholderData: (previous) => previous,
  });
}

/** The pool's nodes as a table (phase, driver, IP, lock, node pool, flavor) with the batch actions. */
export function PoolNodes({ pool }: { pool: Pool }) {
  const { api, projectId } = useSession();
  const queryClient = useQueryClient();
  const name = pool.metadata.name;
  const [limit, setLimit] = useState<number>(20);
  // The continue token of each page shown so far; the last is the current page's (undefined: the first).
  const [tokens, setTokens] = useState<Array<string | undefined>>([undefined]);
  const token = tokens[tokens.length - 1];
  const page = useNodePage(name, limit, token);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [outcome, setOutcome] = useState<string | undefined>();

  // A node that left the page (deleted, or another page) is no longer selected.
  const onPage = (page.data?.items ?? []).map((n) => n.metadata.name);
  const pageKey = onPage.join(',');
  useEffect(() => {
    const here = new Set(pageKey.split(','));
    setSelected((current) => {
      const kept = [...current].filter((n) => here.has(n));
      return kept.length === current.size ? current : new Set(kept);
    });
  }, [pageKey]);

  const act = useMutation({
    mutationFn: ({ action, names }: { action: Action; names: string[] }) =>
      runAction(api, projectId, name, action, names),
    onMutate: () => setOutcome(undefined),
    onSuccess: (failed, { action, names }) => {
      const done = names.length - failed.length;
      setOutcome(
        `${done} node${done === 1 ? '' : 's'} ${DONE[action]}.` +
          (failed.length > 0 ? ` Refused for ${failed.join(', ')}.` : ''),
      );
      return queryClient.invalidateQueries({ queryKey: [projectId] });
    },
  });

  const setLimitAndRestart = (value: number) => {
    setLimit(value);
    setTokens([undefined]);
  };
  const toggle = (node: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(node)) next.add(node);
      return next;
    });
  const names = [...selected];
  const run = (action: Action) => act.mutate({ action, names });
  const none = names.length === 0 || act.isPending;
  const more = page.data?.metadata.continue;
  const remaining = page.data?.metadata.remainingItemCount;

  return (
    <section aria-labelledby="nodes-h" data-testid="pool-nodes">
      <h2 id="nodes-h">Nodes</h2>
      <div className="actions wrap" role="toolbar" aria-label="Node actions">
        <span className="muted" data-testid="selected-count">
          {names.length} selected
        </span>
        {(['lock', 'unlock', 'drain', 'reboot'] as const).map((action) => (
          <button key={action} type="button" disabled={none} onClick={() => run(action)}>
            {action[0].toUpperCase() + action.slice(1)}
          </button>
        ))}
        <ConfirmButton
          label="Delete nodes"
          confirm={`Delete ${names.length} node${names.length === 1 ? '' : 's'}? The pool shrinks by as many.`}
          disabled={none}
          onConfirm={() => run('delete')}
        />
      </div>
      <ErrorBox error={act.error} />
      {outcome && (
        <p className="state ok" role="status">
          {outcome}
        </p>
      )}
      <Loaded query={page} what="the nodes">
        {(list) =>
          list.items.length === 0 ? (
            <Empty>
              {pool.status.phase === 'Running'
                ? 'This pool has no nodes.'
                : 'No nodes yet: they appear while the pool is being built.'}
            </Empty>
          ) : (
            <div className="scroll">
              <table data-testid="nodes">
                <thead>
                  <tr>
                    <th scope="col">
                      <input
                        type="checkbox"
                        aria-label="Select every node on this page"
                        checked={onPage.length > 0 && onPage.every((n) => selected.has(n))}
                        onChange={(e) => setSelected(new Set(e.target.checked ? onPage : []))}
                      />
                    </th>
                    <th scope="col">Node</th>
                    <th scope="col">Phase</th>
                    <th scope="col">Driver</th>
                    <th scope="col">Private IP</th>
                    <th scope="col">Lock</th>
                    <th scope="col">Node pool</th>
                    <th scope="col">Flavor</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {list.items.map((node) => {
                    const n = node.metadata.name;
                    return (
                      <tr key={n} data-node={n} data-locked={isLocked(node)}>
                        <td>
                          <input
                            type="checkbox"
                            aria-label={`Select ${n}`}
                            checked={selected.has(n)}
                            onChange={() => toggle(n)}
                          />
                        </td>
                        <td>
                          {n}
                          <div className="muted small">{node.status.az}</div>
                        </td>
                        <td>
                          <PhaseBadge phase={node.status.phase} />
                          {isDrained(node) && <span className="muted small"> drained</span>}
                        </td>
                        <td>
                          {node.status.driver ? <PhaseBadge phase={node.status.driver.phase} /> : '—'}
                          {node.status.driver?.version && (
                            <div className="muted small">{node.status.driver.version}</div>
                          )}
                        </td>
                        <td>{node.status.privateIp || '—'}</td>
                        <td data-testid="lock">{isLocked(node) ? '🔒 delete' : '—'}</td>
                        <td>{node.metadata.labels[NODE_POOL_LABEL] ?? '—'}</td>
                        <td className="small">{node.spec.flavor}</td>
                        <td>
                          <Time iso={node.metadata.creationTimestamp} />
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
      <nav className="actions wrap pager" aria-label="Node pages">
        <button type="button" disabled={tokens.length === 1} onClick={() => setTokens(tokens.slice(0, -1))}>
          Previous
        </button>
        <span className="muted" data-testid="node-page">
          Page {tokens.length}
          {remaining !== undefined && remaining > 0 ? `, ${remaining} more node${remaining === 1 ? '' : 's'}` : ''}
        </span>
        <button type="button" disabled={!more} onClick={() => more && setTokens([...tokens, more])}>
          Next
        </button>
        <label className="inline">
          Per page
          <select name="node-page-size" value={limit} onChange={(e) => setLimitAndRestart(Number(e.target.value))}>
            {PAGE_SIZES.map((size) => (
              <option key={size}>{size}</option>
            ))}
          </select>
        </label>
      </nav>
    </section>
  );
}
