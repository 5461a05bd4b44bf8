import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, unwrap, type Pool } from '../api/client';
import { PoolNodes } from '../components/PoolNodes';
import { Events } from '../components/Events';
import { POLL_MS, displayName, usePool, workspaceOf } from '../queries';
import { navigate, networkHref } from '../router';
import { useSession } from '../session';
import { ConfirmButton, Empty, ErrorBox, Loading, PhaseBadge, Time } from '../ui';

/** The pool's phase changes in order, from its events (oldest first). */
function Timeline({ name }: { name: string }) {
  const { api, projectId } = useSession();
  const events = useQuery({
    queryKey: [projectId, 'timeline', name],
    queryFn: async () =>
      (
        await unwrap(
          api.GET('/v1/{project_id}/events', {
            params: { path: { project_id: projectId }, query: { resource: 'pools', name, ascend: true, limit: 100 } },
          }),
        )
      ).items,
    refetchInterval: POLL_MS,
  });
  if (events.error) return <ErrorBox error={events.error} />;
  if (!events.data) return <Loading what="the timeline" />;
  if (events.data.length === 0) return <Empty>No phase change recorded yet.</Empty>;
  return (
    <ol className="timeline" data-testid="timeline">
      {events.data.map((e, i) => (
        <li key={`${e.firstTimestamp}-${i}`} className={e.type === 'Warning' ? 'warning' : ''}>
          <Time iso={e.lastTimestamp} /> <strong>{e.reason}</strong> {e.message}
        </li>
      ))}
    </ol>
  );
}

function Scale({ pool }: { pool: Pool }) {
  const { api, projectId } = useSession();
  const queryClient = useQueryClient();
  const current = pool.spec.resources.map((r) => r.count).join();
  const [counts, setCounts] = useState(() => pool.spec.resources.map((r) => r.count));
  // The form follows the pool when its counts change elsewhere (or once a scale is accepted).
  useEffect(() => setCounts(current.split(',').map(Number)), [current]);
  const scale = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH('/v2/{project_id}/pools/{pool_name}', {
          params: { path: { project_id: projectId, pool_name: pool.metadata.name } },
          // A new count per flavor; zones and a maximum given at creation would no longer add up, so are left out.
          body: {
            spec: {
              resources: pool.spec.resources.map(({ azs: _azs, maxCount: _max, ...r }, i) => ({
                ...r,
                count: counts[i],
              })),
            },
          },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [projectId] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    scale.mutate();
  };
  return (
    <form className="scale" aria-label="Scale" onSubmit={submit}>
      {pool.spec.resources.map((r, i) => (
        <label key={r.nodePool ?? `${r.flavor}-${i}`}>
          {r.nodePool ? `${r.nodePool} (${r.flavor})` : r.flavor}
          <input
            type="number"
            min={1}
            max={2000}
            name={`count-${r.nodePool ?? r.flavor}`}
            value={counts[i]}
            onChange={(e) => setCounts(counts.map((c, j) => (j === i ? Number(e.target.value) : c)))}
          />
        </label>
      ))}
      <button type="submit" disabled={scale.isPending}>
        Scale
      </button>
      <ErrorBox error={scale.error} />
      {scale.isSuccess && <p className="state ok">Scaling requested.</p>}
    </form>
  );
}

function Spec({ pool }: { pool: Pool }) {
  const labels = Object.entries(pool.metadata.labels);
  return (
    <dl className="spec">
      <dt>Name</dt>
      <dd>{pool.metadata.name}</dd>
      <dt>Workspace</dt>
      <dd>{workspaceOf(pool)}</dd>
      <dt>Type</dt>
      <dd>{pool.spec.type}</dd>
      <dt>Scope</dt>
      <dd>{pool.spec.scope?.join(', ') || '—'}</dd>
      <dt>Network</dt>
      <dd>{pool.spec.network ? <a href={networkHref(pool.spec.network.name)}>{pool.spec.network.name}</a> : '—'}</dd>
      <dt>Resources</dt>
      <dd>
        {pool.spec.resources.map((r) => `${r.count} × ${r.flavor}${r.nodePool ? ` (${r.nodePool})` : ''}`).join(', ')}
      </dd>
      <dt>Created</dt>
      <dd>
        <Time iso={pool.metadata.creationTimestamp} />
      </dd>
      {pool.status.message && (
        <>
          <dt>Message</dt>
          <dd>{pool.status.message}</dd>
        </>
      )}
      <dt>Labels</dt>
      <dd className="small">{labels.map(([k, v]) => `${k}=${v}`).join(', ')}</dd>
    </dl>
  );
}

export function PoolDetail({ name }: { name: string }) {
  const { api, projectId } = useSession();
  const queryClient = useQueryClient();
  const pool = usePool(name);
  const remove = useMutation({
    mutationFn: () =>
      unwrap(
        api.DELETE('/v2/{project_id}/pools/{pool_name}', {
          params: { path: { project_id: projectId, pool_name: name } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [projectId] }),
  });

  if (pool.error instanceof ApiError && pool.error.status === 404)
    return (
      <Empty>
        There is no pool {name} (any more). <a href="#/pools">Back to the pools</a>.
      </Empty>
    );
  if (pool.error) return <ErrorBox error={pool.error} />;
  if (!pool.data) return <Loading what="the pool" />;
  const p = pool.data;
  return (
    <div className="grid">
      <div className="title-row span">
        <h1>
          Pool {displayName(p)} <PhaseBadge phase={p.status.phase} />
        </h1>
        <ConfirmButton
          label="Delete pool"
          confirm={`Delete pool ${displayName(p)} and its nodes?`}
          disabled={p.status.phase === 'Deleting' || remove.isPending}
          onConfirm={() => remove.mutate(undefined, { onSuccess: () => navigate('#/pools') })}
        />
      </div>
      <ErrorBox error={remove.error} />
      <section aria-labelledby="spec-h">
        <h2 id="spec-h">Spec</h2>
        <Spec pool={p} />
      </section>
      <section aria-labelledby="scale-h">
        <h2 id="scale-h">Scale</h2>
        {p.status.phase === 'Running' ? <Scale pool={p} /> : <p className="muted">A pool scales once it is Running.</p>}
      </section>
      <section aria-labelledby="timeline-h">
        <h2 id="timeline-h">Phase timeline</h2>
        <Timeline name={name} />
      </section>
      <section aria-labelledby="pool-events-h">
        <h2 id="pool-events-h">Events</h2>
        <Events objects={[{ resource: 'pools', name }]} limit={10} />
      </section>
      <div className="span">
        <PoolNodes pool={p} />
      </div>
    </div>
  );
}
