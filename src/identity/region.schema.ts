import { Type, type Static } from '@sinclair/typebox';

const Links = Type.Object({ self: Type.String() });

/** One region as IAM `GET /v3/regions` describes it. */
export const Region = Type.Object({
  id: Type.String(),
  type: Type.String({ description: '"public" for a region projects can be created in' }),
  description: Type.String(),
  parent_region_id: Type.Null(),
  locales: Type.Object({ 'zh-cn': Type.String(), 'en-us': Type.String() }),
  links: Links,
});
export type Region = Static<typeof Region>;

export const RegionList = Type.Object({
  regions: Type.Array(Region),
  links: Type.Object({ self: Type.String(), previous: Type.Null(), next: Type.Null() }),
});

export const RegionParams = Type.Object({ region_id: Type.String({ maxLength: 64 }) });
export const RegionResponse = Type.Object({ region: Region });
