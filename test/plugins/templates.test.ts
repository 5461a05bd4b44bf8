import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPluginTemplateCatalogue } from '../../src/plugins/plugin-template.catalogue.js';
import { adminOk } from '../admin/helpers.js';
import { expectError } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import { GPU_FLAVOR, newPool, pluginBody, pluginPhases, plugins, QUICK } from './helpers.js';

const LIST = '/v2/{project_id}/plugintemplates';
const SHOW = (name: string) => `/v1/{project_id}/plugintemplates/${name}`;
const names = (body: any) => body.items.map((t: any) => t.metadata.name);

describe('plug-in templates', () => {
  const h = useHarness(QUICK);

  it('lists the built-in catalogue with versions as an array, in both spellings clients read', async () => {
    const res = await h.client.get(LIST);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ apiVersion: 'v2', kind: 'PluginTemplateList' });
    expect(names(res.body)).toEqual(['volcano', 'gpu-driver', 'npu-driver', 'node-local-dns']);
    const volcano = res.body.items[0];
    expect(volcano).toMatchObject({
      apiVersion: 'v2',
      kind: 'PluginTemplate',
      metadata: { name: 'volcano', annotations: { 'os.modelarts.plugin/release.name': 'volcano' } },
      spec: { optional: false, type: 'helm', logoURL: '', logo_url: '' },
    });
    expect(volcano.spec.versions[0]).toEqual({
      version: '1.12.9',
      creationTimestamp: '2025-03-10T08:00:00Z',
      creation_timestamp: '2025-03-10T08:00:00Z',
      inputs: {},
      translate: {},
      description: expect.any(String),
    });
  });

  it('filters by templateName (unknown → 404) and by poolName (the templates that pool may install)', async () => {
    expect(names((await h.client.get(`${LIST}?templateName=npu-driver`)).body)).toEqual(['npu-driver']);
    // Terraform's leading empty pair is tolerated.
    expect(names((await h.client.get(`${LIST}?&templateName=volcano`)).body)).toEqual(['volcano']);
    expectError(await h.client.get(`${LIST}?templateName=nothing`), 404, 'ModelArts.50005101');
    const cpu = await newPool(h, h.client);
    const gpu = await newPool(h, h.client, { flavor: GPU_FLAVOR });
    expect(names((await h.client.get(`${LIST}?poolName=${cpu}`)).body)).toEqual(['volcano', 'node-local-dns']);
    expect(names((await h.client.get(`${LIST}?poolName=${gpu}`)).body)).toEqual([
      'volcano',
      'gpu-driver',
      'node-local-dns',
    ]);
    expectError(await h.client.get(`${LIST}?poolName=no-such-pool`), 404, 'ModelArts.50015001');
  });

  it('shows one template at the SDK path, versions keyed by version, drivers typed gpuDriver / npuDriver', async () => {
    const res = await h.client.get(SHOW('gpu-driver'));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      apiVersion: 'v1',
      kind: 'PluginTemplate',
      metadata: { name: 'gpu-driver', annotations: { 'os.modelarts.plugin/release.name': 'gpu-driver' } },
      spec: {
        type: 'gpuDriver',
        description: 'GPU driver',
        versions: {
          '535.54.03': expect.objectContaining({ version: '535.54.03', detail: 'CUDA 12.2 driver' }),
          '470.57.02': expect.objectContaining({ version: '470.57.02' }),
        },
      },
    });
    expect((await h.client.get(SHOW('npu-driver'))).body.spec.type).toBe('npuDriver');
    expect((await h.client.get(SHOW('volcano'))).body.spec.type).toBe('helm');
    const missing = await h.client.get(SHOW('no-such-template'));
    expectError(missing, 404, 'ModelArts.50005101');
    expect(missing.body.error_msg).toBe('Plugintemplate no-such-template not found.');
  });
});

describe('ATELIER_PLUGIN_TEMPLATES_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atelier-templates-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'templates.yaml');
  writeFileSync(
    file,
    [
      'pluginTemplates:',
      '  - name: volcano',
      '    type: helm',
      '    optional: false',
      '    description: Site build of the scheduler',
      '    installedByDefault: true',
      '    versions: [{ version: 1.13.0-site, creationTimestamp: "2026-01-01T00:00:00Z" }]',
      '  - name: site-agent',
      '    type: ccePlugin',
      '    optional: true',
      '    description: Agent of this site',
      '    installedByDefault: true',
      '    versions: [{ version: 0.1.0, creationTimestamp: "2026-01-01T00:00:00Z" }]',
    ].join('\n'),
  );
  const h = useHarness({ ...QUICK, ATELIER_PLUGIN_TEMPLATES_FILE: file });

  it('adds templates to the built-in ones and replaces those of the same name; new pools get its defaults', async () => {
    const res = await h.client.get(LIST);
    expect(names(res.body)).toEqual(['volcano', 'gpu-driver', 'npu-driver', 'node-local-dns', 'site-agent']);
    expect(res.body.items[0].spec.versions.map((v: any) => v.version)).toEqual(['1.13.0-site']);
    const pool = await newPool(h, h.client);
    expect(await pluginPhases(h.client, pool)).toEqual({ volcano: 'Running', 'site-agent': 'Running' });
  });

  it('a file that does not hold is refused at start, naming the problem', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ pluginTemplates: [{ name: 'x', type: 'helm' }] }));
    expect(() => loadPluginTemplateCatalogue(bad)).toThrow(/Plug-in templates file .* is invalid/);
    expect(() => loadPluginTemplateCatalogue(join(dir, 'missing.json'))).toThrow(/Cannot read/);
  });
});

describe('plug-ins and the emulator controls', () => {
  const h = useHarness({ ...QUICK, ATELIER_ADMIN_TOKEN: 'emulator-admin-token-0123456789' });

  it('a plug-in waits for its pool: Pending however long a manual creation takes, Running after the advance', async () => {
    await adminOk(h, 'PUT', '/_atelier/lifecycle', { poolCreate: { mode: 'manual' } });
    try {
      const pool = await newPool(h, h.client, { settle: false });
      await h.advance(60_000);
      expect(await pluginPhases(h.client, pool)).toEqual({ volcano: 'Pending' });
      await adminOk(h, 'POST', '/_atelier/lifecycle/advance', { project: h.projectId, name: pool, kind: 'pool' });
      await h.advance(1_000);
      expect(await pluginPhases(h.client, pool)).toEqual({ volcano: 'Running' });
    } finally {
      await adminOk(h, 'PUT', '/_atelier/lifecycle', { poolCreate: { mode: 'auto', seconds: 0 } });
    }
  });

  it('makes the next matching install Abnormal with the fault reason, once', async () => {
    const pool = await newPool(h, h.client, { settle: false });
    const fault = await adminOk(
      h,
      'POST',
      '/_atelier/faults',
      { operation: 'plugin', project: h.projectId, name: pool, count: 1, reason: 'image pull failed' },
      201,
    );
    await h.settle();
    const [volcano] = (await h.client.get(plugins(pool))).body.items;
    expect(volcano.status).toMatchObject({ phase: 'Abnormal', reason: 'image pull failed' });
    expect((await h.client.post(plugins(pool), pluginBody('node-local-dns'))).status).toBe(200);
    await h.settle();
    expect(await pluginPhases(h.client, pool)).toEqual({ volcano: 'Abnormal', 'node-local-dns': 'Running' });
    const events = await h.client.get(`/v1/{project_id}/events?resource=pools&name=${pool}`);
    expect(events.body.items.filter((e: any) => e.reason === 'PluginStatusChange')).toEqual([
      expect.objectContaining({
        type: 'Warning',
        message: 'Plugin volcano status changed, from Pending to Abnormal, reason: image pull failed.',
      }),
    ]);
    const faults = (await adminOk(h, 'GET', `/_atelier/faults?project=${h.projectId}`)).faults;
    expect(faults).toEqual([
      expect.objectContaining({ id: fault.id, operation: 'plugin', remaining: 0, triggered: 1 }),
    ]);
  });
});
