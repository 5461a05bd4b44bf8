import { Type, type TSchema } from '@sinclair/typebox';
import { PROJECT_ID_PATTERN } from '../shared/conventions.js';

/** At most this many further errors are listed; the last entry then says how many were left out. */
export const MORE_ERRORS_MAX = 20;

/**
 * The ModelArts error envelope (auth-errors.md §4), with one optional key of ours:
 * the SDKs read error_code and error_msg and hand the rest of the JSON over as it is.
 */
export const ErrorEnvelope = Type.Object(
  {
    error_code: Type.String({ minLength: 8, maxLength: 36 }),
    error_msg: Type.String({ minLength: 2, maxLength: 512 }),
    more_errors: Type.Optional(
      Type.Array(Type.String({ maxLength: 512 }), {
        maxItems: MORE_ERRORS_MAX,
        description:
          'When a request has several validation errors: the ones after the first (which is in error_msg). ' +
          'Clients that know only error_code and error_msg ignore it.',
      }),
    ),
  },
  { $id: 'ErrorEnvelope', description: 'ModelArts error envelope' },
);

/** Response schemas for the error statuses a route can answer. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, Type.Ref(ErrorEnvelope)]));
}

/** `project_id` as the spec allows it (quotas-networks.md, common table). */
export const ProjectIdParam = Type.String({ pattern: PROJECT_ID_PATTERN });

export const ProjectParams = Type.Object({ project_id: ProjectIdParam });

/** `metadata` of a Kubernetes-style list: a cursor and the count after this page, when more remain. */
export const ListMetadata = Type.Object({
  continue: Type.Optional(Type.String()),
  remainingItemCount: Type.Optional(Type.Integer()),
});

/** `metadata` of a Kubernetes-style object (pool, network), with its kind of label and annotation map. */
export const ObjectMetadata = <T extends TSchema>(map: T) =>
  Type.Object({
    name: Type.String(),
    creationTimestamp: Type.String(),
    deletionTimestamp: Type.Optional(Type.String()),
    labels: map,
    annotations: map,
  });
