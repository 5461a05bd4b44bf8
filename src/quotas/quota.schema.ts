import { Type, type Static } from '@sinclair/typebox';

/** Numbers by default; strings when ATELIER_QUOTA_VALUES_AS_STRINGS is set (decision 1). */
const QuotaValue = Type.Union([Type.Integer(), Type.String()]);

export const ResourceQuota = Type.Object({
  type: Type.String({ description: 'Resource type: pool or network' }),
  quota: QuotaValue,
  used: QuotaValue,
});

export const ShowOsQuotaResponse = Type.Object(
  { quotas: Type.Object({ resources: Type.Array(ResourceQuota) }) },
  { $id: 'ShowOsQuotaResponse' },
);
export type ShowOsQuotaResponse = Static<typeof ShowOsQuotaResponse>;
