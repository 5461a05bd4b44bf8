import type { Command } from 'commander';
import { out, printRecord } from './output.js';
import { withContext } from './session.js';

/** `atelier orders pay NAME`: what POST /_atelier/orders/{name}/pay does (decision 19). */
export function registerOrderCommands(program: Command): void {
  const orders = program.command('orders').description('orders of pool changes');
  orders
    .command('pay <order>')
    .description('pay a pending yearly/monthly order: its pool stops waiting and is created')
    .option('--json', 'JSON instead of lines')
    .action((name: string, opts: { json?: boolean }) =>
      withContext(async (ctx) => {
        const { payOrder } = await import('../orders/order.service.js');
        const order = await payOrder(ctx, name);
        if (!opts.json) out(`order ${order.orderName} paid`);
        printRecord(
          { ...order },
          { orderName: 'order', resourceName: 'pool', phase: 'phase', beginTimestamp: 'begun (ms)' },
          opts,
        );
      }),
    );
}
