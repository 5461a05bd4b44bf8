import { createServer } from 'node:http';

/**
 * The baseline every figure is compared with: a bare node:http server answering
 * fixed bytes of the same shape as Atelier's answers, on the same core.
 */
const QUOTAS = Buffer.from(
  JSON.stringify({
    quotas: {
      resources: [
        { type: 'pool', quota: 15, used: 10 },
        { type: 'network', quota: 15, used: 10 },
      ],
    },
  }),
);
const STATISTICS = Buffer.from(
  JSON.stringify({
    statistics: { status: { created: 9, creating: 0, deleting: 1, failed: 0, pending: 0 } },
    operationTime: '2025-03-27 11:48:55.446 +0000 UTC',
  }),
);

const server = createServer((req, res) => {
  const body = req.url?.includes('/statistics/') ? STATISTICS : QUOTAS;
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': body.length,
    'x-request-id': 'baseline',
  });
  res.end(body);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : ''}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
