// A client built with a region instead of a project id: the SDK finds the project through IAM
// (GET /v3/projects?name=<region>, signed with the key), here Atelier itself.
// Run: AK=… SK=… REGION=cn-north-4 node examples/region-flow.mjs
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js';
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js';
import { Region } from '@huaweicloud/huaweicloud-sdk-core/region/region.js';

const { AK, SK, REGION = 'cn-north-4', ENDPOINT = 'http://127.0.0.1:8080' } = process.env;
const credentials = new BasicCredentials().withAk(AK).withSk(SK).withIamEndpoint(ENDPOINT);
const client = new ClientBuilder((hc) => hc)
  .withCredential(credentials)
  .withRegion(new Region(REGION, ENDPOINT))
  .build();

// {project_id} is filled in with the project the SDK found for the region.
const quotas = await client.sendRequest({
  method: 'GET',
  url: '/v1/{project_id}/quotas',
  contentType: 'application/json',
  pathParams: {},
  queryParams: {},
  headers: {},
});
console.log(REGION, 'project', credentials.projectId, 'quotas', JSON.stringify(quotas.quotas.resources));
