import { formatRfc3339Seconds } from './go-time.js';

/** What every Kubernetes-style record (pool, network) keeps its metadata in. */
interface MetadataFields {
  name: string;
  createdAt: Date;
  deletingAt: Date | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** `metadata` as the wire has it: RFC 3339 seconds, deletionTimestamp only while deleting. */
export function objectMetadata(record: MetadataFields) {
  return {
    name: record.name,
    creationTimestamp: formatRfc3339Seconds(record.createdAt),
    ...(record.deletingAt ? { deletionTimestamp: formatRfc3339Seconds(record.deletingAt) } : {}),
    labels: record.labels,
    annotations: record.annotations,
  };
}
