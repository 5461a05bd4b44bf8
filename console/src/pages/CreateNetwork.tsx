import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { unwrap } from '../api/client';
import { addWorkspace, DEFAULT_WORKSPACE, NAME_LABEL, WORKSPACE_LABEL } from '../queries';
import { navigate, networkHref } from '../router';
import { useSession } from '../session';
import { ErrorBox } from '../ui';

export function CreateNetwork() {
  const { api, projectId } = useSession();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: (form: FormData) =>
      unwrap(
        api.POST('/v1/{project_id}/networks', {
          params: { path: { project_id: projectId } },
          body: {
            apiVersion: 'v1',
            kind: 'Network',
            metadata: {
              labels: {
                [NAME_LABEL]: String(form.get('name')).trim(),
                [WORKSPACE_LABEL]: String(form.get('workspace')).trim() || DEFAULT_WORKSPACE,
              },
            },
            spec: { cidr: String(form.get('cidr')).trim() },
          },
        }),
      ),
    onSuccess: async (network) => {
      addWorkspace(projectId, network.metadata.labels[WORKSPACE_LABEL] ?? DEFAULT_WORKSPACE);
      await queryClient.invalidateQueries({ queryKey: [projectId] });
      navigate(networkHref(network.metadata.name));
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate(new FormData(event.currentTarget));
  };
  return (
    <>
      <h1>Create network</h1>
      <form className="form" aria-label="Create network" onSubmit={submit}>
        <label>
          Name
          <input name="name" required autoFocus spellCheck={false} />
        </label>
        <label>
          CIDR
          <input name="cidr" required defaultValue="192.168.0.0/16" spellCheck={false} />
        </label>
        <label>
          Workspace
          <input name="workspace" defaultValue={DEFAULT_WORKSPACE} />
        </label>
        <ErrorBox error={create.error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={create.isPending}>
            Create
          </button>
          <a href="#/networks">Cancel</a>
        </div>
      </form>
    </>
  );
}
