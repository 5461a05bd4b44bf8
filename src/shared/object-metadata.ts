import { fromDbTime } from '../db/database.js';
import { formatRfc3339Seconds } from './go-time.js';

/** The stored columns every Kubernetes-style object (pool, network) keeps its metadata in. */
interface MetadataColumns {
  name: string;
  created_at: string | Date;
  deleting_at: string | Date | null;
  labels: string;
  annotations: string;
}

/** `metadata` as the wire has it: RFC 3339 seconds, deletionTimestamp only while deleting. */
export function objectMetadata(row: MetadataColumns) {
  const deletingAt = fromDbTime(row.deleting_at);
  return {
    name: row.name,
    creationTimestamp: formatRfc3339Seconds(fromDbTime(row.created_at)),
    ...(deletingAt ? { deletionTimestamp: formatRfc3339Seconds(deletingAt) } : {}),
    labels: JSON.parse(row.labels) as Record<string, string>,
    annotations: JSON.parse(row.annotations) as Record<string, string>,
  };
}
