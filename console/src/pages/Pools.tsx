import { useState } from 'react';
import { poolHref, networkHref } from '../router';
import { displayName, usePools, workspaceOf, type PoolFilter } from '../queries';
import { Empty, FilterField, Loaded, PhaseBadge, Time } from '../ui';

const STATUSES = ['creating', 'created', 'pending', 'deleting', 'failed'] as const;

export function Pools() {
  const [filter, setFilter] = useState<PoolFilter>({});
  const pools = usePools(filter);
  const filtered = Object.values(filter).some((v) => v);
  return (
    <>
      <div className="title-row">
        <h1>Pools</h1>
        <a className="button primary" href="#/pools/new">
          Create pool
        </a>
      </div>
      <form className="filters" aria-label="Filter pools" onSubmit={(e) => e.preventDefault()}>
        <FilterField
          label="Workspace"
          name="workspace"
          placeholder="0 (the default)"
          value={filter.workspaceId}
          onChange={(workspaceId) => setFilter({ ...filter, workspaceId })}
        />
        <label>
          Status
          <select
            name="status"
            value={filter.status ?? ''}
            onChange={(e) => setFilter({ ...filter, status: (e.target.value || undefined) as PoolFilter['status'] })}
          >
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <FilterField
          label="Label selector"
          name="labelSelector"
          placeholder="key=value,other!=x"
          value={filter.labelSelector}
          onChange={(labelSelector) => setFilter({ ...filter, labelSelector })}
        />
      </form>
      <Loaded query={pools} what="pools">
        {(items) =>
          items.length === 0 ? (
            <Empty>
              {filtered ? (
                'No pool matches these filters.'
              ) : (
                <>
                  No pools yet. <a href="#/pools/new">Create a pool</a> on an Active network.
                </>
              )}
            </Empty>
          ) : (
            <div className="scroll">
              <table data-testid="pools">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Phase</th>
                    <th scope="col">Workspace</th>
                    <th scope="col">Nodes</th>
                    <th scope="col">Network</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((p) => (
                    <tr key={p.metadata.name} data-pool={displayName(p)}>
                      <td>
                        <a href={poolHref(p.metadata.name)}>{displayName(p)}</a>
                        <div className="muted small">{p.metadata.name}</div>
                      </td>
                      <td>
                        <PhaseBadge phase={p.status.phase} />
                      </td>
                      <td>{workspaceOf(p)}</td>
                      <td>{p.spec.resources.map((r) => `${r.count} × ${r.flavor}`).join(', ')}</td>
                      <td>
                        {p.spec.network ? <a href={networkHref(p.spec.network.name)}>{p.spec.network.name}</a> : '—'}
                      </td>
                      <td>
                        <Time iso={p.metadata.creationTimestamp} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
    </>
  );
}
