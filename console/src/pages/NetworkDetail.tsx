import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError, unwrap } from '../api/client';
import { Events } from '../components/Events';
import { displayName, useNetwork, usePools, workspaceOf } from '../queries';
import { navigate, poolHref } from '../router';
import { useSession } from '../session';
import { ConfirmButton, Empty, ErrorBox, Loading, PhaseBadge, Time } from '../ui';

export function NetworkDetail({ name }: { name: string }) {
  const { api, projectId } = useSession();
  const queryClient = useQueryClient();
  const network = useNetwork(name);
  // The pools of the network's own workspace: the API lists one workspace at a time.
  const pools = usePools({ workspaceId: network.data ? workspaceOf(network.data) : undefined });
  const remove = useMutation({
    mutationFn: () =>
      unwrap(
        api.DELETE('/v1/{project_id}/networks/{network_name}', {
          params: { path: { project_id: projectId, network_name: name } },
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: [projectId] });
      navigate('#/networks');
    },
  });
  if (network.error instanceof ApiError && network.error.status === 404)
    return (
      <Empty>
        There is no network {name} (any more). <a href="#/networks">Back to the networks</a>.
      </Empty>
    );
  if (network.error) return <ErrorBox error={network.error} />;
  if (!network.data) return <Loading what="the network" />;
  const n = network.data;
  const onIt = (pools.data ?? []).filter((p) => p.spec.network?.name === n.metadata.name);
  return (
    <div className="grid">
      <div className="title-row span">
        <h1>
          Network {displayName(n)} <PhaseBadge phase={n.status.phase} />
        </h1>
        <ConfirmButton label="Delete" confirm={`Delete network ${displayName(n)}?`} onConfirm={() => remove.mutate()} />
      </div>
      <ErrorBox error={remove.error} />
      <section aria-labelledby="net-spec-h">
        <h2 id="net-spec-h">Spec</h2>
        <dl className="spec">
          <dt>Name</dt>
          <dd>{n.metadata.name}</dd>
          <dt>Workspace</dt>
          <dd>{workspaceOf(n)}</dd>
          <dt>CIDR</dt>
          <dd>{n.spec.cidr}</dd>
          <dt>Created</dt>
          <dd>
            <Time iso={n.metadata.creationTimestamp} />
          </dd>
        </dl>
      </section>
      <section aria-labelledby="net-pools-h">
        <h2 id="net-pools-h">Pools on this network</h2>
        {onIt.length === 0 ? (
          <Empty>
            No pool uses it. <a href="#/pools/new">Create a pool</a>.
          </Empty>
        ) : (
          <ul>
            {onIt.map((p) => (
              <li key={p.metadata.name}>
                <a href={poolHref(p.metadata.name)}>{displayName(p)}</a> <PhaseBadge phase={p.status.phase} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="net-events-h" className="span">
        <h2 id="net-events-h">Events</h2>
        <Events objects={[{ resource: 'networks', name }]} limit={20} />
      </section>
    </div>
  );
}
