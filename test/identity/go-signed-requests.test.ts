// Signatures as the Terraform provider's Go SDK makes them (decision 15; orders-billing-terraform.md
// §3.0): no `host` signed, X-Project-Id added unsigned after signing, the query canonical on the wire.
// Each case goes once through the server's listener (the hot-read lane first) and once through
// Fastify alone, and both must give the same status: the lane authenticates as Fastify does.
import { inject } from 'light-my-request';
import { beforeAll, describe, expect, it } from 'vitest';
import { activeNetwork, networkBody } from '../helpers/fixtures.js';
import { goJson } from '../helpers/go-json.js';
import { goRequest, type GoRequestInput, type GoWireRequest } from '../helpers/go-signer.js';
import { useHarness } from '../helpers/harness.js';
import { formatSdkDate } from '../helpers/signing.js';

const MINUTE = 60_000;
const MISMATCH = /the signature does not match the request/;
const MALFORMED = /the Authorization header or X-Sdk-Date is malformed/;
const EXPIRED = /X-Sdk-Date is more than 15 minutes away from the server time/;
const MISSING_HEADER = /a signed header is missing from the request/;
const JSON_HEADERS = { 'Content-Type': 'application/json' };

describe('AK/SK signatures made as the Go signer makes them', () => {
  let network: string;
  const h = useHarness({ ATELIER_NETWORK_CREATE_SECONDS: '0', ATELIER_NETWORK_QUOTA: '100' });
  beforeAll(async () => {
    network = await activeNetwork(h.client, h.settle);
  });

  const quotas = () => `/v1/${h.projectId}/quotas`;
  const statistics = () => `/v2/${h.projectId}/statistics/pools`;
  const networks = () => `/v1/${h.projectId}/networks`;

  const request = (
    input: Partial<GoRequestInput> & Pick<GoRequestInput, 'method' | 'url'>,
    signedAt = new Date(),
  ): GoWireRequest =>
    goRequest({
      accessKey: h.credentials.accessKey,
      secretKey: h.credentials.secretKey,
      projectId: h.projectId,
      sdkDate: formatSdkDate(signedAt),
      ...input,
    });

  /**
   * Through the server's listener (the lane first) and, for a GET, through Fastify alone too: the
   * statuses must agree. Returns the answer and whether the lane gave it.
   */
  async function send(wire: GoWireRequest) {
    const before = h.app.hotReads.answered;
    const options = { method: wire.method as 'GET', url: wire.url, headers: wire.headers, payload: wire.body };
    const viaLane = await inject(h.app.handleRequest, options);
    const byLane = h.app.hotReads.answered - before;
    if (wire.method === 'GET') expect(viaLane.statusCode, viaLane.body).toBe((await h.app.inject(options)).statusCode);
    const body = viaLane.body ? JSON.parse(viaLane.body) : undefined;
    return { status: viaLane.statusCode, body, byLane };
  }

  async function refused(wire: GoWireRequest, reason: RegExp, status = 401) {
    const res = await send(wire);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.byLane).toBe(0);
    if (status === 401) {
      expect(res.body.error_code).toBe('APIGW.0301');
      expect(res.body.error_msg).toMatch(reason);
    }
    return res;
  }

  /** The same request with another body, Content-Length following (the transport computes it). */
  const withBody = (wire: GoWireRequest, body: string): GoWireRequest => ({
    ...wire,
    body,
    headers: { ...wire.headers, 'content-length': String(Buffer.byteLength(body)) },
  });

  const withHeader = (wire: GoWireRequest, name: string, value: string | undefined): GoWireRequest => {
    const headers = { ...wire.headers };
    if (value === undefined) delete headers[name];
    else headers[name] = value;
    return { ...wire, headers };
  };

  describe('accepted', () => {
    it('hot reads with accept;content-type;user-agent;x-sdk-date, answered by the lane', async () => {
      for (const url of [quotas(), statistics()]) {
        const wire = request({ method: 'GET', url, moreHeaders: JSON_HEADERS });
        expect(wire.signedHeaders).toEqual(['accept', 'content-type', 'user-agent', 'x-sdk-date']);
        expect(wire.headers['x-project-id']).toBe(h.projectId);
        const res = await send(wire);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.byLane).toBe(1);
      }
    });

    it('a GET with no extra headers: accept;user-agent;x-sdk-date', async () => {
      const wire = request({ method: 'GET', url: `${networks()}/${network}` });
      expect(wire.signedHeaders).toEqual(['accept', 'user-agent', 'x-sdk-date']);
      const res = await send(wire);
      expect(res.status).toBe(200);
      expect(res.body.metadata.name).toBe(network);
    });

    it('only x-sdk-date signed', async () => {
      const wire = request({ method: 'GET', url: quotas(), moreHeaders: { Accept: '', 'User-Agent': '' } });
      expect(wire.signedHeaders).toEqual(['x-sdk-date']);
      expect((await send(wire)).status).toBe(200);
    });

    it('a query put on the wire in canonical order by the signer', async () => {
      const wire = request({ method: 'GET', url: `${networks()}?workspaceId=ws+1&limit=500` });
      expect(wire.url).toBe(`${networks()}?limit=500&workspaceId=ws%201`);
      expect((await send(wire)).status).toBe(200);
    });

    it('POST, PATCH (merge-patch+json) and DELETE with Go-encoded bodies', async () => {
      const body = goJson(networkBody());
      expect(body.endsWith('\n')).toBe(true);
      const created = await send(request({ method: 'POST', url: networks(), body, moreHeaders: JSON_HEADERS }));
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const path = `${networks()}/${created.body.metadata.name}`;
      await h.settle();
      const patch = goJson({ spec: { connection: { peerConnectionList: null, sfsTurboConnectionList: null } } });
      const patched = await send(
        request({
          method: 'PATCH',
          url: path,
          body: patch,
          moreHeaders: { 'Content-Type': 'application/merge-patch+json' },
        }),
      );
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      const deleted = await send(request({ method: 'DELETE', url: path, moreHeaders: JSON_HEADERS }));
      expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    });

    it('unsigned headers may change: Host, Accept-Encoding, a matching X-Project-Id, or none', async () => {
      const wire = request({ method: 'GET', url: quotas(), moreHeaders: JSON_HEADERS });
      expect((await send(withHeader(wire, 'host', 'elsewhere.example.com:8443'))).status).toBe(200);
      expect((await send(withHeader(wire, 'accept-encoding', 'identity'))).status).toBe(200);
      expect((await send(withHeader(wire, 'x-project-id', undefined))).status).toBe(200);
    });
  });

  describe('refused', () => {
    it('an unsigned X-Project-Id naming another project → 403', async () => {
      const wire = request({ method: 'GET', url: quotas(), moreHeaders: JSON_HEADERS });
      const res = await refused(withHeader(wire, 'x-project-id', 'another0project'), /./, 403);
      expect(res.body.error_code).toBe('ModelArts.0210');
    });

    it('a signed X-Project-Id naming another project → 403 as well', async () => {
      const wire = request({ method: 'GET', url: quotas(), moreHeaders: { 'X-Project-Id': 'another0project' } });
      expect(wire.signedHeaders).toContain('x-project-id');
      const res = await refused({ ...wire, headers: { ...wire.headers, 'x-project-id': 'another0project' } }, /./, 403);
      expect(res.body.error_code).toBe('ModelArts.0210');
    });

    it('a signed header changed (User-Agent, Content-Type) or removed', async () => {
      const wire = request({ method: 'GET', url: quotas(), moreHeaders: JSON_HEADERS });
      await refused(withHeader(wire, 'user-agent', 'curl/8'), MISMATCH);
      await refused(withHeader(wire, 'content-type', 'application/merge-patch+json'), MISMATCH);
      await refused(withHeader(wire, 'accept', undefined), MISSING_HEADER);
    });

    it('the method, the path, a query value, an added or removed query parameter', async () => {
      const get = request({ method: 'GET', url: `${networks()}/${network}`, moreHeaders: JSON_HEADERS });
      await refused({ ...get, method: 'DELETE' }, MISMATCH);
      await refused({ ...get, url: `${networks()}/${network}x` }, MISMATCH);
      const list = request({ method: 'GET', url: `${networks()}?limit=500`, moreHeaders: JSON_HEADERS });
      await refused({ ...list, url: `${networks()}?limit=499` }, MISMATCH);
      await refused({ ...list, url: `${networks()}?limit=500&workspaceId=0` }, MISMATCH);
      await refused({ ...list, url: networks() }, MISMATCH);
      expect((await send(list)).status).toBe(200);
    });

    it('one byte of the body, also with an unsigned X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD; nothing is created', async () => {
      const before = (await h.client.get(`/v1/{project_id}/networks?limit=500`)).body.items.length;
      const body = goJson(networkBody());
      const wire = request({ method: 'POST', url: networks(), body, moreHeaders: JSON_HEADERS });
      const tampered = withBody(wire, body.replace('"kind":"Network"', '"kind":"Netwerk"'));
      await refused(tampered, MISMATCH);
      await refused(withHeader(tampered, 'x-sdk-content-sha256', 'UNSIGNED-PAYLOAD'), MISMATCH);
      // Trailing whitespace is part of the bytes signed, too.
      await refused(withBody(wire, body.trimEnd()), MISMATCH);
      expect((await h.client.get(`/v1/{project_id}/networks?limit=500`)).body.items.length).toBe(before);
    });

    it('X-Sdk-Date changed after signing, or more than 15 minutes away', async () => {
      const wire = request({ method: 'GET', url: quotas(), moreHeaders: JSON_HEADERS });
      const later = formatSdkDate(new Date(Date.now() + 1000));
      await refused(withHeader(wire, 'x-sdk-date', later), MISMATCH);
      await refused(request({ method: 'GET', url: quotas() }, new Date(Date.now() - 16 * MINUTE)), EXPIRED);
      await refused(request({ method: 'GET', url: quotas() }, new Date(Date.now() + 16 * MINUTE)), EXPIRED);
    });

    it('a SignedHeaders list without x-sdk-date', async () => {
      const wire = request({ method: 'GET', url: quotas(), moreHeaders: JSON_HEADERS });
      const authorization = wire.headers.authorization!.replace(
        'SignedHeaders=accept;content-type;user-agent;x-sdk-date',
        'SignedHeaders=accept;content-type;user-agent',
      );
      await refused(withHeader(wire, 'authorization', authorization), MALFORMED);
    });

    it('the signature of another secret key', async () => {
      const wire = goRequest({
        method: 'GET',
        url: quotas(),
        accessKey: h.credentials.accessKey,
        secretKey: `${h.credentials.secretKey}x`,
        projectId: h.projectId,
        sdkDate: formatSdkDate(new Date()),
      });
      await refused(wire, MISMATCH);
    });
  });
});
