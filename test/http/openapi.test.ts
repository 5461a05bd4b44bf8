import { createConfig, lintFromString, type NormalizedProblem } from '@redocly/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';

type Doc = {
  servers?: unknown[];
  info: { license?: { name: string; url?: string } };
  components: { securitySchemes?: Record<string, { type: string; in?: string; name?: string }> };
  paths: Record<string, Record<string, Operation>>;
};
type Operation = {
  operationId?: string;
  summary?: string;
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { description: string; headers?: Record<string, unknown> }>;
};

const describeProblem = (p: NormalizedProblem) =>
  `${p.severity} ${p.ruleId}: ${p.message} at ${p.location.map((l) => l.pointer).join(', ')}`;

describe('the OpenAPI document', () => {
  let h: Harness;
  let text: string;
  let doc: Doc;
  beforeAll(async () => {
    // With the emulator controls on, so their routes are held to the same standard.
    h = await startHarness({ ATELIER_ADMIN_TOKEN: 'openapi-test-admin-token-0123456789' });
    const res = await h.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    text = res.body;
    doc = JSON.parse(text) as Doc;
  });
  afterAll(async () => h?.close());

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ where: `${method.toUpperCase()} ${path}`, op })),
    );

  it('passes Redocly lint with the recommended rules: no errors, no warnings', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: text, absoluteRef: 'openapi.json', config });
    expect(problems.map(describeProblem)).toEqual([]);
  });

  it('names the server, the licence and both ways to authenticate', () => {
    expect(doc.servers?.length).toBeGreaterThan(0);
    expect(doc.info.license?.name).toBe('Apache-2.0');
    const schemes = doc.components.securitySchemes ?? {};
    expect(Object.values(schemes)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'apiKey', in: 'header', name: 'Authorization' }),
        expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Auth-Token' }),
      ]),
    );
  });

  it('gives every operation a ModelArts operation name and a summary', () => {
    for (const { where, op } of operations()) {
      expect(op.operationId, where).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(op.summary, where).toBeTruthy();
    }
    const ids = operations().map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['ShowOsQuota', 'ShowPoolStatistics', 'CreatePool', 'ListNetworks']));
  });

  it('describes every response in words, never as "Default Response"', () => {
    for (const { where, op } of operations())
      for (const [status, response] of Object.entries(op.responses)) {
        expect(response.description, `${where} ${status}`).not.toBe('Default Response');
        expect(response.description, `${where} ${status}`).toBeTruthy();
      }
  });

  it('documents X-Subject-Token on the token response', () => {
    const issue = operations().find(({ op }) => op.operationId === 'KeystoneCreateUserTokenByPassword');
    expect(issue?.op.responses['201']?.headers).toHaveProperty('X-Subject-Token');
  });

  it('offers application/merge-patch+json for every PATCH body', () => {
    const patches = operations().filter(({ where }) => where.startsWith('PATCH '));
    expect(patches.length).toBeGreaterThan(0);
    for (const { where, op } of patches)
      expect(Object.keys(op.requestBody?.content ?? {}), where).toEqual(
        expect.arrayContaining(['application/merge-patch+json', 'application/json']),
      );
  });

  it('writes enums as enum, never as anyOf of single values', () => {
    const offenders: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}/${i}`));
      if (!node || typeof node !== 'object') return;
      const record = node as Record<string, unknown>;
      const anyOf = record.anyOf;
      if (Array.isArray(anyOf) && anyOf.some((s) => s && typeof s === 'object' && ('const' in s || 'enum' in s)))
        offenders.push(at);
      for (const [key, value] of Object.entries(record)) walk(value, `${at}/${key}`);
    };
    walk(doc, '#');
    expect(offenders).toEqual([]);
  });
});
