import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { unwrap } from '../api/client';
import {
  addWorkspace,
  DEFAULT_WORKSPACE,
  NAME_LABEL,
  WORKSPACE_LABEL,
  displayName,
  useFlavors,
  useAllNetworks,
} from '../queries';
import { navigate, poolHref } from '../router';
import { useSession } from '../session';
import { Empty, ErrorBox, Loading } from '../ui';

const SCOPES = ['Train', 'Infer', 'Notebook'] as const;

export function CreatePool() {
  const { api, projectId } = useSession();
  const queryClient = useQueryClient();
  const flavors = useFlavors();
  const networks = useAllNetworks();
  const active = (networks.data ?? []).filter((n) => n.status.phase === 'Active');
  const create = useMutation({
    mutationFn: (form: FormData) =>
      unwrap(
        api.POST('/v2/{project_id}/pools', {
          params: { path: { project_id: projectId } },
          body: {
            apiVersion: 'v2',
            kind: 'Pool',
            metadata: {
              labels: {
                [NAME_LABEL]: String(form.get('name')).trim(),
                [WORKSPACE_LABEL]: String(form.get('workspace')).trim() || DEFAULT_WORKSPACE,
              },
            },
            spec: {
              type: 'Dedicate',
              scope: SCOPES.filter((s) => form.get(`scope-${s}`) === 'on'),
              network: { name: String(form.get('network')) },
              resources: [{ flavor: String(form.get('flavor')), count: Number(form.get('count')) }],
            },
          },
        }),
      ),
    onSuccess: async (pool) => {
      addWorkspace(projectId, pool.metadata.labels[WORKSPACE_LABEL] ?? DEFAULT_WORKSPACE);
      await queryClient.invalidateQueries({ queryKey: [projectId] });
      navigate(poolHref(pool.metadata.name));
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate(new FormData(event.currentTarget));
  };
  if (flavors.isPending || networks.isPending) return <Loading what="flavors and networks" />;
  return (
    <>
      <h1>Create pool</h1>
      {active.length === 0 && (
        <Empty>
          A pool needs an Active network, and there is none yet. <a href="#/networks/new">Create a network</a> first.
        </Empty>
      )}
      <form className="form" aria-label="Create pool" onSubmit={submit}>
        <label>
          Name
          <input name="name" required autoFocus spellCheck={false} />
        </label>
        <label>
          Workspace
          <input name="workspace" defaultValue={DEFAULT_WORKSPACE} />
        </label>
        <label>
          Network (Active only)
          <select name="network" required>
            {active.map((n) => (
              <option key={n.metadata.name} value={n.metadata.name}>
                {displayName(n)} ({n.spec.cidr})
              </option>
            ))}
          </select>
        </label>
        <label>
          Flavor
          <select name="flavor" required>
            {(flavors.data ?? []).map((f) => (
              <option key={f.metadata.name} value={f.metadata.name}>
                {f.metadata.name} — {f.spec.cpu} vCPU, {f.spec.memory}
              </option>
            ))}
          </select>
        </label>
        <label>
          Nodes
          <input name="count" type="number" min={1} max={2000} defaultValue={1} required />
        </label>
        <fieldset className="inline">
          <legend>Scope</legend>
          {SCOPES.map((s) => (
            <label key={s} className="inline">
              <input type="checkbox" name={`scope-${s}`} defaultChecked={s === 'Train'} /> {s}
            </label>
          ))}
        </fieldset>
        <ErrorBox error={create.error ?? flavors.error ?? networks.error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={create.isPending}>
            Create
          </button>
          <a href="#/pools">Cancel</a>
        </div>
      </form>
    </>
  );
}
