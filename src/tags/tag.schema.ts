import { Type, type Static } from '@sinclair/typebox';
import { ProjectIdParam } from '../http/wire.js';
import { StringEnum } from '../shared/string-enum.js';

/**
 * Pool tags (config-events-flavors §6, plugins-scheduled-events-misc §6): key
 * 1–128 characters, value 0–255. The rules a schema cannot say (reserved
 * prefixes, the per-pool limit) are in tag.rules.ts.
 */
const Key = Type.String({ minLength: 1, maxLength: 128 });
const Value = Type.String({ maxLength: 255 });

export const TagInput = Type.Object({ key: Key, value: Value }, { additionalProperties: false });
export type TagInput = Static<typeof TagInput>;

/** batchCreatePoolTags: add tags, overwriting the value of a key the pool has. */
export const CreatePoolTagsBody = Type.Object(
  { tags: Type.Array(TagInput, { minItems: 1 }) },
  { $id: 'CreatePoolTagsBody', additionalProperties: false },
);
export type CreatePoolTagsBody = Static<typeof CreatePoolTagsBody>;

/** batchDeletePoolTags: an item with a value removes the tag only if the value matches; without, the key. */
export const DeletePoolTagsBody = Type.Object(
  {
    tags: Type.Array(Type.Object({ key: Key, value: Type.Optional(Value) }, { additionalProperties: false }), {
      minItems: 1,
    }),
  },
  { $id: 'DeletePoolTagsBody', additionalProperties: false },
);
export type DeletePoolTagsBody = Static<typeof DeletePoolTagsBody>;

export const TAG_ACTIONS = ['create', 'delete', 'reset'] as const;

/** The OTC route's body: `reset` replaces the whole set, and only it may send `tags: []`. */
export const UpdatePoolTagsBody = Type.Object(
  { action: StringEnum(TAG_ACTIONS), tags: Type.Array(TagInput) },
  { $id: 'UpdatePoolTagsBody', additionalProperties: false },
);
export type UpdatePoolTagsBody = Static<typeof UpdatePoolTagsBody>;

/** A tag of one pool: `key` with `values` (SDK PoolTag) and `value` (OTC), decision T2 of the spec. */
export const PoolTag = Type.Object({ key: Type.String(), value: Type.String(), values: Type.Array(Type.String()) });
export type PoolTag = Static<typeof PoolTag>;

export const PoolTags = Type.Object({ tags: Type.Array(PoolTag) }, { $id: 'PoolTags' });
export type PoolTags = Static<typeof PoolTags>;

/** ListPoolTags: every key the project's pools use, with the values they give it. */
export const ProjectTags = Type.Object(
  { tags: Type.Array(Type.Object({ key: Type.String(), values: Type.Array(Type.String()) })) },
  { $id: 'ProjectTags' },
);
export type ProjectTags = Static<typeof ProjectTags>;

export const ListPoolTagsQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
});
export type ListPoolTagsQuery = Static<typeof ListPoolTagsQuery>;

export const PoolTagParams = Type.Object({
  project_id: ProjectIdParam,
  pool_name: Type.String({ minLength: 1, maxLength: 128 }),
});

/**
 * ListPoolsByTags (config-events-flavors §6.1, the OTC-old route): pools carrying every tag given
 * (a key with one of its values; no values: the key at all), and whose display name contains each
 * `matches` value (`resource_name`, the only key).
 */
export const ListPoolsByTagsBody = Type.Object(
  {
    tags: Type.Optional(
      Type.Array(
        Type.Object({ key: Key, values: Type.Array(Value, { maxItems: 20 }) }, { additionalProperties: false }),
        { maxItems: 20 },
      ),
    ),
    matches: Type.Optional(
      Type.Array(
        Type.Object(
          { key: Type.Literal('resource_name'), value: Type.String({ maxLength: 255 }) },
          { additionalProperties: false },
        ),
        { maxItems: 1 },
      ),
    ),
  },
  { $id: 'ListPoolsByTagsBody', additionalProperties: false },
);
export type ListPoolsByTagsBody = Static<typeof ListPoolsByTagsBody>;

export const ListPoolsByTagsQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 1000 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
});
export type ListPoolsByTagsQuery = Static<typeof ListPoolsByTagsQuery>;

/** `total_count` before paging; each pool with its id (metadata.name), display name and tags. */
export const PoolsByTags = Type.Object(
  {
    total_count: Type.Integer(),
    resources: Type.Array(
      Type.Object({
        resource_id: Type.String(),
        resource_name: Type.String(),
        tags: Type.Array(Type.Object({ key: Type.String(), value: Type.String() })),
      }),
    ),
  },
  { $id: 'PoolsByTags' },
);
export type PoolsByTags = Static<typeof PoolsByTags>;
