#!/usr/bin/env node
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { registerAdminCommands } from './cli/admin.cli.js';
import { registerResourceCommands } from './cli/resources.cli.js';
import { registerOrderCommands } from './cli/orders.cli.js';
import { registerServeCommands } from './cli/serve.cli.js';
import { withIdentity } from './cli/session.js';
import { registerGrantCommand } from './identity/grant.cli.js';
import { registerIdentityCommands, registerProjectCommands } from './identity/identity.cli.js';

// The same relative path from src/main.ts (tsx) and dist/main.js (the built program).
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

// Only what every command needs is imported above; the server's modules load when `serve` runs,
// so an administration command starts in a fraction of the time.
const program = new Command('atelier')
  .description('ModelArts Resource Management control plane: the server and its administration')
  .version(version, '-v, --version', 'print the version')
  .showHelpAfterError();

registerServeCommands(program);
registerProjectCommands(program, withIdentity);
registerIdentityCommands(program, withIdentity);
registerGrantCommand(program, withIdentity);
registerResourceCommands(program);
registerAdminCommands(program);
registerOrderCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
