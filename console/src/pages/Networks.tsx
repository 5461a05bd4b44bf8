import { useState } from 'react';
import { networkHref } from '../router';
import { displayName, useNetworks, workspaceOf } from '../queries';
import { Empty, FilterField, Loaded, PhaseBadge, Time } from '../ui';

export function Networks() {
  const [filter, setFilter] = useState<{ workspaceId?: string; labelSelector?: string }>({});
  const networks = useNetworks(filter);
  const filtered = Object.values(filter).some((v) => v);
  return (
    <>
      <div className="title-row">
        <h1>Networks</h1>
        <a className="button primary" href="#/networks/new">
          Create network
        </a>
      </div>
      <form className="filters" aria-label="Filter networks" onSubmit={(e) => e.preventDefault()}>
        <FilterField
          label="Workspace"
          name="workspace"
          placeholder="0 (the default)"
          value={filter.workspaceId}
          onChange={(workspaceId) => setFilter({ ...filter, workspaceId })}
        />
        <FilterField
          label="Label selector"
          name="labelSelector"
          placeholder="key=value"
          value={filter.labelSelector}
          onChange={(labelSelector) => setFilter({ ...filter, labelSelector })}
        />
      </form>
      <Loaded query={networks} what="networks">
        {(items) =>
          items.length === 0 ? (
            <Empty>
              {filtered ? (
                'No network matches these filters.'
              ) : (
                <>
                  No networks yet. <a href="#/networks/new">Create a network</a>: pools are built on one.
                </>
              )}
            </Empty>
          ) : (
            <div className="scroll">
              <table data-testid="networks">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Phase</th>
                    <th scope="col">Workspace</th>
                    <th scope="col">CIDR</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((n) => (
                    <tr key={n.metadata.name} data-network={displayName(n)}>
                      <td>
                        <a href={networkHref(n.metadata.name)}>{displayName(n)}</a>
                        <div className="muted small">{n.metadata.name}</div>
                      </td>
                      <td>
                        <PhaseBadge phase={n.status.phase} />
                      </td>
                      <td>{workspaceOf(n)}</td>
                      <td>{n.spec.cidr}</td>
                      <td>
                        <Time iso={n.metadata.creationTimestamp} />
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
