import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { AtelierError } from '../errors.js';
import { errorResponses } from '../http/wire.js';
import { RegionList, RegionParams, RegionResponse, type Region } from './region.schema.js';

/**
 * IAM's region list, for the regions this installation names (ATELIER_REGION). An SDK client built
 * with a region whose project it cannot find asks for this list before it gives up; without it the
 * user saw a bare 404 instead of the SDK's own message.
 */
export const regionRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const base = (request: FastifyRequest) => `${request.protocol}://${request.host}/v3/regions`;
    const describe = (request: FastifyRequest, id: string): Region => ({
      id,
      type: 'public',
      description: '',
      parent_region_id: null,
      locales: { 'zh-cn': id, 'en-us': id },
      links: { self: `${base(request)}/${id}` },
    });

    app.get(
      '/v3/regions',
      {
        config: { public: true },
        schema: {
          operationId: 'KeystoneListRegions',
          tags: ['iam'],
          response: { 200: RegionList, ...errorResponses(400) },
        },
      },
      async (request) => ({
        regions: ctx.config.regions.map((id) => describe(request, id)),
        links: { self: base(request), previous: null, next: null },
      }),
    );

    app.get(
      '/v3/regions/:region_id',
      {
        config: { public: true },
        schema: {
          operationId: 'KeystoneShowRegion',
          tags: ['iam'],
          params: RegionParams,
          response: { 200: RegionResponse, ...errorResponses(404) },
        },
      },
      async (request) => {
        const id = request.params.region_id;
        if (!ctx.config.regions.includes(id))
          throw new AtelierError('regionNotFound', { region: id, regions: ctx.config.regions.join(', ') });
        return { region: describe(request, id) };
      },
    );
  };
