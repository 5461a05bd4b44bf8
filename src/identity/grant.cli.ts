import type { Command } from 'commander';
import { out } from '../cli/output.js';
import type { WithIdentity } from './identity.cli.js';

/**
 * `atelier credentials grant AK --project P`: lets an existing key use another project of its
 * account — the step the region recipe needs after `atelier projects create --name <region>`.
 */
export function registerGrantCommand(program: Command, withIdentity: WithIdentity): void {
  const credentials = program.commands.find((c) => c.name() === 'credentials');
  if (!credentials) throw new Error('register the credentials commands first');
  credentials
    .command('grant <accessKey>')
    .description('let an access key use more projects of its account (id or name; repeatable)')
    .requiredOption('--project <project>', 'project id or name', (v: string, prev: string[] = []) => [...prev, v], [])
    .action((ak: string, opts: { project: string[] }) =>
      withIdentity(async (identity, database) => {
        const { findCredential, grantedProjects } = await import('./identity.store.js');
        const { listProjects } = await import('../projects/project.service.js');
        const credential = await findCredential(database.db, ak);
        if (!credential) throw new Error(`no credential ${ak}`);
        const projects = await listProjects(database.db);
        const ids = opts.project.map((ref) => {
          const matches = projects.filter(
            (p) => p.account_id === credential.account_id && (p.id === ref || p.name === ref),
          );
          if (matches.length === 0) throw new Error(`no project ${ref} in the key's account`);
          if (matches.length > 1) throw new Error(`${matches.length} projects are named ${ref}: give the id`);
          return matches[0]!.id;
        });
        await identity.grant('credential', ak, credential.account_id, ids);
        out(`credential ${ak} may use ${(await grantedProjects(database.db, 'credential', ak)).join(', ')}`);
      }),
    );
}
