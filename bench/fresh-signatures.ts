/**
 * Many distinct signed requests, made before a load starts: what a fleet of clients sends, each
 * request signed anew. The official SDK signs one request in about 2.5 ms here (30,000 would take a
 * minute and a quarter), so the SDK signs the first requests and this module signs the rest the same
 * way: every request it makes is checked to be the SDK's for the first ones, byte for byte, so a
 * canonicalisation that differed from the SDK's would stop the run rather than measure refusals.
 * Nothing here comes from the server's own signature code.
 *
 * Each request differs from the others by a signed `x-client-id` header (a distinct client) and its
 * `X-Sdk-Date`, spread over the last five minutes (within the 15-minute skew the server accepts).
 */
import type autocannon from 'autocannon';
import { createHash, createHmac } from 'node:crypto';
import { formatSdkDate, signRequest } from '../test/helpers/signing.js';

export interface FreshSigningInput {
  host: string;
  projectId: string;
  path: string;
  accessKey: string;
  secretKey: string;
}

const AUTHORIZATION = /^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;
const CHECKED_WITH_THE_SDK = 8;

/** `count` GET requests to `path`, each signed with a distinct signature: their headers. */
export async function freshSignatures(input: FreshSigningInput, count: number): Promise<Array<Record<string, string>>> {
  const now = Date.now();
  const unsigned = (i: number) => ({
    host: input.host,
    'content-type': 'application/json',
    'x-project-id': input.projectId,
    'x-client-id': `client-${i}`,
  });
  const dateOf = (i: number) => formatSdkDate(new Date(now - (i % 300) * 1000));
  const bySdk = (i: number) =>
    signRequest({
      method: 'GET',
      url: input.path,
      headers: unsigned(i),
      accessKey: input.accessKey,
      secretKey: input.secretKey,
      sdkDate: dateOf(i),
    });
  const template = (await bySdk(0)).headers;
  const match = AUTHORIZATION.exec(template.authorization ?? '');
  if (!match) throw new Error(`unexpected Authorization from the SDK: ${template.authorization}`);
  const signedHeaders = match[2]!.split(';');
  const emptyBody = createHash('sha256').update('').digest('hex');
  const uri = input.path.endsWith('/') ? input.path : `${input.path}/`;
  const key = Buffer.from(input.secretKey, 'utf8');
  const sign = (i: number): Record<string, string> => {
    const headers: Record<string, string> = { ...template, ...unsigned(i), 'x-sdk-date': dateOf(i) };
    let lines = '';
    for (const name of signedHeaders) lines += `${name}:${headers[name]!.trim()}\n`;
    const canonical = `GET\n${uri}\n\n${lines}\n${signedHeaders.join(';')}\n${emptyBody}`;
    const digest = createHash('sha256').update(canonical).digest('hex');
    const signature = createHmac('sha256', key)
      .update(`SDK-HMAC-SHA256\n${headers['x-sdk-date']}\n${digest}`)
      .digest('hex');
    headers.authorization = `SDK-HMAC-SHA256 Access=${match[1]}, SignedHeaders=${match[2]}, Signature=${signature}`;
    return headers;
  };
  for (let i = 0; i < Math.min(count, CHECKED_WITH_THE_SDK); i += 1) {
    const expected = (await bySdk(i)).headers;
    const made = sign(i);
    for (const name of new Set([...Object.keys(expected), ...Object.keys(made)])) {
      if (expected[name] !== made[name]) {
        throw new Error(`fresh signature ${i} differs from the SDK's in ${name}: ${made[name]} ≠ ${expected[name]}`);
      }
    }
  }
  return Array.from({ length: count }, (_, i) => sign(i));
}

/** autocannon's requests for a rotation: each request, on whichever connection, takes the next headers. */
export function rotating(path: string, rotate: ReadonlyArray<Record<string, string>>): autocannon.Request[] {
  let next = 0;
  return [
    { method: 'GET', path, setupRequest: (request) => ({ ...request, headers: rotate[next++ % rotate.length] }) },
  ];
}
