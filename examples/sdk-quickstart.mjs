// Quotas, then a network and a pool through their whole lifecycle, with the official SDK core.
// Needs `npm i @huaweicloud/huaweicloud-sdk-core uuid` (the core requires uuid without declaring it).
// Run: AK=… SK=… PROJECT_ID=… node examples/sdk-quickstart.mjs
import { readFileSync } from 'node:fs';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js';
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js';

const { AK, SK, PROJECT_ID, ENDPOINT = 'http://127.0.0.1:8080' } = process.env;
const credentials = new BasicCredentials().withAk(AK).withSk(SK).withProjectId(PROJECT_ID);
const client = new ClientBuilder((hc) => hc) // the core client every generated service client wraps
  .withCredential(credentials)
  .withEndpoint(ENDPOINT)
  .build();

/** One signed request; the answer's JSON body (the SDK adds httpStatusCode). */
const call = (method, url, data) =>
  client.sendRequest({
    method,
    url,
    contentType: 'application/json',
    pathParams: {},
    queryParams: {},
    headers: {},
    ...(data ? { data } : {}),
  });
const body = (file) => JSON.parse(readFileSync(new URL(file, import.meta.url), 'utf8'));
const listed = (list, name) => list.items.some((item) => item.metadata.name === name);

/** Polls `url` until `done` holds for its answer, for at most a minute. */
async function waitFor(what, url, done) {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    if (done(await call('GET', url))) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${what} took longer than a minute`);
}

const quotas = await call('GET', `/v1/${PROJECT_ID}/quotas`);
console.log('quotas', JSON.stringify(quotas.quotas.resources));

const networks = `/v1/${PROJECT_ID}/networks`;
const network = await call('POST', networks, body('./create-network.json'));
const networkUrl = `${networks}/${network.metadata.name}`;
await waitFor('the network', networkUrl, (n) => n.status.phase === 'Active');
console.log('network', network.metadata.name, 'Active');

const pool = body('./create-pool.json');
pool.spec.network.name = network.metadata.name; // pools name their network by its metadata.name
const pools = `/v2/${PROJECT_ID}/pools`;
const created = await call('POST', pools, pool);
const poolUrl = `${pools}/${created.metadata.name}`;
await waitFor('the pool', poolUrl, (p) => p.status.phase === 'Running');
console.log('pool', created.metadata.name, 'Running');

// Deleted objects leave the lists once their teardown is done (a GET would answer 404 then).
await call('DELETE', poolUrl);
await waitFor('the pool deletion', pools, (list) => !listed(list, created.metadata.name));
await call('DELETE', networkUrl);
await waitFor('the network deletion', networks, (list) => !listed(list, network.metadata.name));
console.log('deleted the pool and the network');
