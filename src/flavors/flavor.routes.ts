import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { errorResponses, ProjectParams } from '../http/wire.js';
import { requireProject } from '../projects/project.service.js';
import { cursorPosition, labelSelectorFrom, pageOf, selects } from '../shared/selection.js';
import { ListResourceFlavorsQuery, ResourceFlavorList } from './flavor.schema.js';

export const flavorRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/:project_id/resourceflavors',
      {
        schema: {
          operationId: 'ListResourceFlavors',
          summary: 'Node flavors a pool can be built from',
          tags: ['flavors'],
          params: ProjectParams,
          querystring: ListResourceFlavorsQuery,
          response: { 200: ResourceFlavorList, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => {
        await requireProject(ctx, request.params.project_id);
        const selector = labelSelectorFrom(request.query.labelSelector);
        const start = cursorPosition(request.query.continue);
        // Catalogue positions (1-based) stand in for row ids in the cursor.
        const items = ctx.flavors.flavors
          .map((flavor, index) => ({ position: index + 1, flavor }))
          .filter((item) => item.position > start && selects(selector, item.flavor.metadata.labels));
        const { page, metadata } = pageOf(items, request.query.limit, (item) => item.position);
        return {
          apiVersion: 'v1' as const,
          kind: 'ResourceFlavorList' as const,
          metadata,
          items: page.map((i) => i.flavor),
        };
      },
    );
  };
