import { useEffect, useState, type FormEvent } from 'react';
import { Events } from '../components/Events';
import {
  addWorkspace,
  useAllNetworks,
  useAllPools,
  useFlavors,
  useQuotas,
  useStatistics,
  useWorkspaces,
} from '../queries';
import { useSession } from '../session';
import { Bar, Empty, ErrorBox, Loaded, Loading } from '../ui';

const BUCKETS = ['creating', 'created', 'pending', 'deleting', 'failed'] as const;

function Quotas() {
  const quotas = useQuotas();
  return (
    <section aria-labelledby="quotas-h">
      <h2 id="quotas-h">Quotas</h2>
      <Loaded query={quotas} what="quotas">
        {(resources) => (
          <div className="bars">
            {resources.map((r) => (
              <Bar key={r.type} label={r.type} used={Number(r.used)} limit={Number(r.quota)} />
            ))}
          </div>
        )}
      </Loaded>
    </section>
  );
}

/** Shows another workspace: the API has no list of them, so the user names it (or creates in it). */
function AddWorkspace() {
  const { projectId } = useSession();
  const [value, setValue] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    addWorkspace(projectId, value.trim());
    setValue('');
  };
  return (
    <form className="inline" aria-label="Show a workspace" onSubmit={submit}>
      <label className="inline">
        Workspace
        <input name="workspace" size={12} value={value} onChange={(e) => setValue(e.target.value)} />
      </label>
      <button type="submit">Show</button>
    </form>
  );
}

function Statistics({ workspaces }: { workspaces: string[] }) {
  const results = useStatistics(workspaces);
  return (
    <section aria-labelledby="stats-h">
      <h2 id="stats-h">Pool statistics</h2>
      <div className="scroll">
        <table data-testid="statistics">
          <thead>
            <tr>
              <th scope="col">Workspace</th>
              {BUCKETS.map((b) => (
                <th key={b} scope="col">
                  {b}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {results.map((r, i) => (
              <tr key={workspaces[i]} data-workspace={workspaces[i]}>
                <th scope="row">{workspaces[i]}</th>
                {BUCKETS.map((b) => (
                  <td key={b} data-bucket={b}>
                    {r.data ? r.data.status[b] : r.error ? '!' : '…'}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ErrorBox error={results.find((r) => r.error)?.error} />
      <AddWorkspace />
    </section>
  );
}

/**
 * Nodes per flavor held by this project's pools (by their spec), the pools waiting for one (what the public API says of a
 * finite capacity: it publishes no capacity figure), beside the flavor's state per zone in the catalogue.
 */
function Flavors() {
  const flavors = useFlavors();
  const pools = useAllPools();
  const used = new Map<string, number>();
  const waiting = new Map<string, number>();
  for (const pool of pools.data ?? [])
    for (const r of pool.spec.resources) {
      // A waiting pool holds no node yet, and a failed creation none any more.
      if (pool.status.phase === 'Waiting') waiting.set(r.flavor, (waiting.get(r.flavor) ?? 0) + 1);
      else if (pool.status.phase !== 'CreationFailed') used.set(r.flavor, (used.get(r.flavor) ?? 0) + r.count);
    }
  return (
    <section aria-labelledby="flavors-h">
      <h2 id="flavors-h">Flavors</h2>
      <Loaded query={flavors} what="flavors">
        {(items) => (
          <div className="scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Flavor</th>
                  <th scope="col">CPU / memory</th>
                  <th scope="col">Accelerator</th>
                  <th scope="col">Nodes in this project</th>
                  <th scope="col">Pools waiting for capacity</th>
                  <th scope="col">Zones</th>
                </tr>
              </thead>
              <tbody>
                {items.map((f) => {
                  const accel = f.spec.gpu ?? f.spec.npu;
                  const zones = Object.entries(f.status.phase);
                  return (
                    <tr key={f.metadata.name} data-flavor={f.metadata.name}>
                      <td>{f.metadata.name}</td>
                      <td>
                        {f.spec.cpu} vCPU / {f.spec.memory}
                      </td>
                      <td>{accel ? `${accel.size} × ${accel.type}` : '—'}</td>
                      <td>{used.get(f.metadata.name) ?? 0}</td>
                      <td data-testid={`waiting-${f.metadata.name}`}>
                        {waiting.has(f.metadata.name) ? (
                          <a href="#/pools">{waiting.get(f.metadata.name)} waiting</a>
                        ) : (
                          '—'
                        )}
                      </td>
                      <td className="small">{zones.map(([az, phase]) => `${az}: ${phase}`).join(', ') || '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
    </section>
  );
}

export function Overview() {
  const workspaces = useWorkspaces();
  const pools = useAllPools();
  const networks = useAllNetworks();
  const objects = [
    ...(pools.data ?? []).map((p) => ({ resource: 'pools' as const, name: p.metadata.name })),
    ...(networks.data ?? []).map((n) => ({ resource: 'networks' as const, name: n.metadata.name })),
  ].slice(0, 20);

  // The time to first render the browser test measures: quotas and statistics on screen.
  useEffect(() => {
    if (pools.data) performance.mark('atelier-overview-rendered');
  }, [pools.data]);

  return (
    <div className="grid">
      <h1 className="span">Overview</h1>
      <Quotas />
      <Statistics workspaces={workspaces} />
      <section aria-labelledby="events-h" className="span">
        <h2 id="events-h">Latest events</h2>
        {pools.isPending || networks.isPending ? (
          <Loading what="events" />
        ) : objects.length === 0 ? (
          <Empty>
            Nothing has happened yet. <a href="#/networks/new">Create a network</a>, then a pool on it.
          </Empty>
        ) : (
          <Events objects={objects} />
        )}
      </section>
      <div className="span">
        <Flavors />
      </div>
    </div>
  );
}
