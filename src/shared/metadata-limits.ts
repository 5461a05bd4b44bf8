import { Type } from '@sinclair/typebox';
import { badRequest } from '../errors.js';

/**
 * How much `metadata` one object (a pool, a network) may carry. The spec bounds
 * single values (a display name, the description: pools.md §3.6, quotas-networks.md
 * §2.2) but not the maps; these follow Kubernetes, which the service runs on: keys
 * of a qualified name's length, and at most 256 KiB of labels and annotations
 * together per object. The entry counts keep a list of many objects small as well.
 */
export const METADATA_LIMITS = Object.freeze({
  /** Entries per map (labels, annotations), the server's own keys included. */
  entries: 64,
  keyLength: 253,
  labelValueLength: 1024,
  annotationValueLength: 4096,
  /** UTF-8 bytes of every key and value of both maps together. */
  totalBytes: 256 * 1024,
});

const Key = Type.String({ minLength: 1, maxLength: METADATA_LIMITS.keyLength });
// A record's key schema does not reach the JSON Schema TypeBox writes (it matches every key): propertyNames does.
const bounded = {
  maxProperties: METADATA_LIMITS.entries,
  propertyNames: { minLength: 1, maxLength: METADATA_LIMITS.keyLength },
};

/** `metadata.labels` as a client may send them on create. */
export const LabelMap = Type.Record(Key, Type.String({ maxLength: METADATA_LIMITS.labelValueLength }), bounded);
/** `metadata.annotations` as a client may send them on create. */
export const AnnotationMap = Type.Record(
  Key,
  Type.String({ maxLength: METADATA_LIMITS.annotationValueLength }),
  bounded,
);
/** A merge patch of labels: a value sets, `null` deletes. */
export const LabelPatch = Type.Record(
  Key,
  Type.Union([Type.String({ maxLength: METADATA_LIMITS.labelValueLength }), Type.Null()]),
  bounded,
);
/** A merge patch of annotations: a value sets, `null` deletes. */
export const AnnotationPatch = Type.Record(
  Key,
  Type.Union([Type.String({ maxLength: METADATA_LIMITS.annotationValueLength }), Type.Null()]),
  bounded,
);

interface Metadata {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function totalBytes(metadata: Metadata): number {
  let bytes = 0;
  for (const map of [metadata.labels, metadata.annotations]) {
    for (const [key, value] of Object.entries(map)) bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  return bytes;
}

/**
 * The bound the schemas cannot state: labels and annotations together at most
 * `totalBytes`, refused with a 400 that names it. (Counts and lengths are the
 * schemas' job; a merge patch touches only a few bounded keys, pools.md §6.4.)
 */
export function checkMetadataLimits(metadata: Metadata): void {
  const maxBytes = METADATA_LIMITS.totalBytes;
  const bytes = totalBytes(metadata);
  if (bytes > maxBytes) {
    throw badRequest(`metadata: labels and annotations together at most ${maxBytes} bytes (got ${bytes})`);
  }
}
