import { Type, type Static } from '@sinclair/typebox';

export const ShowPoolStatisticsQuery = Type.Object({
  workspaceId: Type.Optional(Type.String({ maxLength: 64, description: 'Workspace ID; default "0"' })),
});

const Count = Type.Integer({ minimum: 0 });

export const ShowPoolStatisticsResponse = Type.Object(
  {
    statistics: Type.Object({
      status: Type.Object({
        created: Count,
        creating: Count,
        deleting: Count,
        failed: Type.Integer({ minimum: 0, maximum: 500 }),
        pending: Count,
      }),
    }),
    operationTime: Type.String({ description: 'Go time.Time.String() of a UTC time' }),
  },
  { $id: 'ShowPoolStatisticsResponse' },
);
export type ShowPoolStatisticsResponse = Static<typeof ShowPoolStatisticsResponse>;
