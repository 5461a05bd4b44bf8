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
