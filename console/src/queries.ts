import { useQueries, useQuery } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { unwrap, type ApiClient, type ApiEvent, type Network, type Pool } from './api/client';
import { useSession } from './session';

/**
 * How often what is on screen is read again: the same endpoints any client polls. 1.5 s unless this browser
 * says otherwise in localStorage (`atelier.console.pollMs`, 200 ms to a minute): the browser tests poll faster.
 */
export const POLL_MS = pollInterval(localStorage.getItem('atelier.console.pollMs'));

function pollInterval(stored: string | null): number {
  const ms = Number(stored);
  return stored && Number.isFinite(ms) ? Math.min(60_000, Math.max(200, ms)) : 1_500;
}

export const WORKSPACE_LABEL = 'os.modelarts/workspace.id';
export const NAME_LABEL = 'os.modelarts/name';
export const DEFAULT_WORKSPACE = '0';

export const workspaceOf = (item: Pool | Network) => item.metadata.labels[WORKSPACE_LABEL] ?? DEFAULT_WORKSPACE;
export const displayName = (item: Pool | Network) => item.metadata.labels[NAME_LABEL] ?? item.metadata.name;

/**
 * The workspaces this browser shows. The API lists one workspace at a time (no workspaceId means "0") and
 * has no call that lists them, so the console remembers the ones the user added or created in, per project.
 */
const workspaceListeners = new Set<() => void>();
const workspaceKey = (projectId: string) => `atelier.console.workspaces.${projectId}`;

function readWorkspaces(projectId: string): string {
  return localStorage.getItem(workspaceKey(projectId)) ?? DEFAULT_WORKSPACE;
}

export function addWorkspace(projectId: string, workspaceId: string): void {
  const known = new Set(readWorkspaces(projectId).split(','));
  if (!workspaceId || known.has(workspaceId)) return;
  localStorage.setItem(workspaceKey(projectId), [...known, workspaceId].sort().join(','));
  for (const listener of workspaceListeners) listener();
}

export function useWorkspaces(): string[] {
  const { projectId } = useSession();
  const text = useSyncExternalStore(
    (listener) => {
      workspaceListeners.add(listener);
      return () => workspaceListeners.delete(listener);
    },
    () => readWorkspaces(projectId),
  );
  return text.split(',');
}

export interface NetworkFilter {
  workspaceId?: string;
  labelSelector?: string;
}

export interface PoolFilter {
  workspaceId?: string;
  status?: 'creating' | 'created' | 'pending' | 'deleting' | 'failed';
  labelSelector?: string;
}

/** One page of a list call: what the list pages and the overview poll. */
type Lister<T, Q> = (api: ApiClient, projectId: string, query: Q) => Promise<T[]>;

const listPools: Lister<Pool, PoolFilter> = async (api, projectId, query) =>
  (await unwrap(api.GET('/v2/{project_id}/pools', { params: { path: { project_id: projectId }, query } }))).items;

const listNetworks: Lister<Network, NetworkFilter> = async (api, projectId, query) =>
  (await unwrap(api.GET('/v1/{project_id}/networks', { params: { path: { project_id: projectId }, query } }))).items;

/** Only the filters given: an empty field is no filter. */
function given<Q extends object>(filter: Q): Q {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined && v !== '')) as Q;
}

function useList<T, Q extends object>(kind: string, filter: Q, list: Lister<T, Q>) {
  const { api, projectId } = useSession();
  return useQuery({
    queryKey: [projectId, kind, given(filter)],
    queryFn: () => list(api, projectId, given(filter)),
    refetchInterval: POLL_MS,
  });
}

/** The list of every workspace shown, merged (one request each: the API lists one workspace at a time). */
function useAcrossWorkspaces<T>(kind: string, list: Lister<T, { workspaceId: string }>) {
  const { api, projectId } = useSession();
  const results = useQueries({
    queries: useWorkspaces().map((workspaceId) => ({
      queryKey: [projectId, kind, { workspaceId }],
      queryFn: () => list(api, projectId, { workspaceId }),
      refetchInterval: POLL_MS,
    })),
  });
  return {
    data: results.every((r) => r.data) ? results.flatMap((r) => r.data ?? []) : undefined,
    error: results.find((r) => r.error)?.error,
    isPending: results.some((r) => r.isPending),
  };
}

export const usePools = (filter: PoolFilter = {}) => useList('pools', filter, listPools);
export const useAllPools = () => useAcrossWorkspaces('pools', listPools);
export const useNetworks = (filter: NetworkFilter = {}) => useList('networks', filter, listNetworks);
export const useAllNetworks = () => useAcrossWorkspaces('networks', listNetworks);

export function usePool(name: string) {
  const { api, projectId } = useSession();
  return useQuery({
    queryKey: [projectId, 'pool', name],
    queryFn: () =>
      unwrap(
        api.GET('/v2/{project_id}/pools/{pool_name}', { params: { path: { project_id: projectId, pool_name: name } } }),
      ),
    refetchInterval: POLL_MS,
    retry: false,
  });
}

export function useNetwork(name: string) {
  const { api, projectId } = useSession();
  return useQuery({
    queryKey: [projectId, 'network', name],
    queryFn: () =>
      unwrap(
        api.GET('/v1/{project_id}/networks/{network_name}', {
          params: { path: { project_id: projectId, network_name: name } },
        }),
      ),
    refetchInterval: POLL_MS,
    retry: false,
  });
}

export function useQuotas() {
  const { api, projectId } = useSession();
  return useQuery({
    queryKey: [projectId, 'quotas'],
    queryFn: async () =>
      (await unwrap(api.GET('/v1/{project_id}/quotas', { params: { path: { project_id: projectId } } }))).quotas
        .resources,
    refetchInterval: POLL_MS,
  });
}

/** The statistics buckets of each workspace, one request per workspace, as the API counts them. */
export function useStatistics(workspaces: string[]) {
  const { api, projectId } = useSession();
  return useQueries({
    queries: workspaces.map((workspaceId) => ({
      queryKey: [projectId, 'statistics', workspaceId],
      queryFn: async () => {
        const body = await unwrap(
          api.GET('/v2/{project_id}/statistics/pools', {
            params: { path: { project_id: projectId }, query: { workspaceId } },
          }),
        );
        return { workspaceId, status: body.statistics.status, operationTime: body.operationTime };
      },
      refetchInterval: POLL_MS,
    })),
  });
}

export function useFlavors() {
  const { api, projectId } = useSession();
  return useQuery({
    queryKey: [projectId, 'flavors'],
    queryFn: async () =>
      (await unwrap(api.GET('/v1/{project_id}/resourceflavors', { params: { path: { project_id: projectId } } })))
        .items,
    staleTime: 60_000,
  });
}

export type Resource = 'pools' | 'networks';
export type NamedEvent = ApiEvent & { resource: Resource; name: string };

/** The events of each named pool or network (the API lists them per object), newest first, merged. */
export function useEvents(objects: Array<{ resource: Resource; name: string }>, limit = 20) {
  const { api, projectId } = useSession();
  const results = useQueries({
    queries: objects.map(({ resource, name }) => ({
      queryKey: [projectId, 'events', resource, name],
      queryFn: async () => {
        const list = await unwrap(
          api.GET('/v1/{project_id}/events', {
            params: { path: { project_id: projectId }, query: { resource, name, limit } },
          }),
        );
        return list.items.map((event): NamedEvent => ({ ...event, resource, name }));
      },
      refetchInterval: POLL_MS,
    })),
  });
  const events = results
    .flatMap((r) => r.data ?? [])
    .sort((a, b) => b.lastTimestamp.localeCompare(a.lastTimestamp))
    .slice(0, limit);
  return {
    events,
    isPending: results.some((r) => r.isPending),
    error: results.find((r) => r.error)?.error,
  };
}
