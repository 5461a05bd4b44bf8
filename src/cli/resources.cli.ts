import type { Command } from 'commander';
import type { AppContext } from '../context.js';
import { printList, type ListOptions } from './output.js';
import { withContext } from './session.js';

const NAME_LABEL = 'os.modelarts/name';

interface Scope extends ListOptions {
  project?: string;
  workspace?: string;
}

/** The projects a list covers: the one named (by id or name), else every project. */
async function projectsOf(ctx: AppContext, ref: string | undefined): Promise<Array<{ id: string; name: string }>> {
  const { listProjects } = await import('../projects/project.service.js');
  const all = await listProjects(ctx.database.db);
  if (ref === undefined) return all;
  const matches = all.filter((p) => p.id === ref || p.name === ref);
  if (matches.length === 0) throw new Error(`no project ${ref}`);
  if (matches.length > 1) throw new Error(`${matches.length} projects are named ${ref}: give the id`);
  return matches;
}

/** `atelier pools list`, `atelier networks list`: what the API lists, for every project or one. */
export function registerResourceCommands(program: Command): void {
  const scoped = (command: Command) =>
    command
      .option('--project <project>', 'one project (id or name); default every project')
      .option('--workspace <id>', 'workspace id', '0')
      .option('--json', 'JSON instead of a table');

  const pools = program.command('pools').description('look at resource pools');
  scoped(pools.command('list').description('list pools with their phase and nodes')).action((opts: Scope) =>
    withContext(async (ctx) => {
      const { listPools } = await import('../pools/pool.service.js');
      const rows = [];
      for (const project of await projectsOf(ctx, opts.project)) {
        const list = await listPools(ctx, project.id, { workspaceId: opts.workspace });
        for (const pool of list.items)
          rows.push({
            project: project.name,
            name: pool.metadata.labels?.[NAME_LABEL] ?? '',
            id: pool.metadata.name,
            phase: pool.status?.phase ?? '',
            resources: pool.spec.resources.map((r) => `${r.flavor}×${r.count}`),
            created: pool.metadata.creationTimestamp ?? '',
          });
      }
      printList(
        rows,
        [
          ['project', 'PROJECT'],
          ['name', 'NAME'],
          ['id', 'ID'],
          ['phase', 'PHASE'],
          ['resources', 'RESOURCES'],
          ['created', 'CREATED'],
        ],
        opts,
      );
    }),
  );

  const networks = program.command('networks').description('look at networks');
  scoped(networks.command('list').description('list networks with their CIDR and phase')).action((opts: Scope) =>
    withContext(async (ctx) => {
      const { listNetworks } = await import('../networks/network.service.js');
      const rows = [];
      for (const project of await projectsOf(ctx, opts.project)) {
        const list = await listNetworks(ctx, project.id, { workspaceId: opts.workspace });
        for (const network of list.items)
          rows.push({
            project: project.name,
            name: network.metadata.labels?.[NAME_LABEL] ?? '',
            id: network.metadata.name,
            cidr: network.spec.cidr,
            phase: network.status?.phase ?? '',
            created: network.metadata.creationTimestamp ?? '',
          });
      }
      printList(
        rows,
        [
          ['project', 'PROJECT'],
          ['name', 'NAME'],
          ['id', 'ID'],
          ['cidr', 'CIDR'],
          ['phase', 'PHASE'],
          ['created', 'CREATED'],
        ],
        opts,
      );
    }),
  );
}
