import { badRequest } from '../errors.js';
import { FORBIDDEN_DESCRIPTION_CHARS } from './names.js';

/**
 * The ModelArts conventions every Kubernetes-style resource shares (pools.md §3.6,
 * quotas-networks.md §2.1): the label and annotation keys the service reads, the
 * default workspace and the rule on descriptions. One place, so a new resource
 * cannot spell them differently.
 */
export const NAME_LABEL = 'os.modelarts/name';
export const WORKSPACE_LABEL = 'os.modelarts/workspace.id';
export const DESCRIPTION_ANNOTATION = 'os.modelarts/description';

/** Decisions 4 and 8: no workspaceId means the default workspace "0". */
export const DEFAULT_WORKSPACE = '0';

/** `project_id` as the spec allows it (quotas-networks.md, common table). */
export const PROJECT_ID_PATTERN = '^[A-Za-z0-9-]{1,64}$';

const DESCRIPTION_MAX = 100;

/** The console's rule on `os.modelarts/description`: short, and none of the characters it refuses. */
export function checkDescription(description: string | null | undefined): void {
  if (description === undefined || description === null) return;
  if (description.length > DESCRIPTION_MAX) {
    throw badRequest(`${DESCRIPTION_ANNOTATION}: at most ${DESCRIPTION_MAX} characters`);
  }
  if (FORBIDDEN_DESCRIPTION_CHARS.test(description)) {
    throw badRequest(`${DESCRIPTION_ANNOTATION}: must not contain any of ! < > = & " '`);
  }
}
