/**
 * The error catalogue: the only place an error Atelier can answer is defined.
 * Codes are part of the wire contract (auth-errors.md §5) and stable once released;
 * docs/errors.md documents each one and a test keeps the two in step.
 */
export interface CatalogueEntry {
  readonly code: string;
  readonly status: number;
  /** Message template; `{name}` placeholders are filled from the params. */
  readonly message: string;
}

const entry = (code: string, status: number, message: string): CatalogueEntry => ({ code, status, message });

export const ERRORS = {
  // common
  badRequest: entry('ModelArts.50004000', 400, 'Bad request. {detail}'),
  quotaExceeded: entry(
    'ModelArts.50004000',
    400,
    'Bad request. {resource} quota exceeded: the limit of project {project} is {limit}.',
  ),
  contentTypeNotSupported: entry(
    'ModelArts.50004100',
    400,
    'Content type not supported: {type}. Use application/json or application/merge-patch+json.',
  ),
  projectNotFound: entry('ModelArts.50005101', 404, 'Project {project} not found.'),
  internal: entry('ModelArts.50005000', 500, 'internal error'),
  conflict: entry('ModelArts.5044', 409, 'Operations conflict, please try again later.'),
  notImplemented: entry('ModelArts.50005010', 501, 'Operation {operation} is not implemented by this server.'),
  notReady: entry('ModelArts.50005030', 503, 'Not ready: {reason}.'),
  storageFull: entry(
    'ModelArts.50005031',
    503,
    'Service unavailable: the database is out of space and refuses changes until space is freed. Retry later.',
  ),
  responseTooLarge: entry(
    'ModelArts.50004000',
    400,
    'Bad request. The answer would exceed {limit} bytes: ask for a smaller page (limit) or narrow the list (labelSelector, workspaceId).',
  ),
  // identity (auth-errors.md §5.2)
  unauthorized: entry('APIGW.0301', 401, 'Incorrect IAM authentication information: {reason}.'),
  loginThrottled: entry(
    'APIGW.0308',
    429,
    'The throttling threshold has been reached: too many refused logins, try again in {seconds} s.',
  ),
  projectForbidden: entry(
    'ModelArts.0210',
    403,
    'The project id in the request URL does not match the credential: {reason}.',
  ),
  regionNotFound: entry('Atelier.40402001', 404, 'Region {region} not found: this installation serves {regions}.'),
  // pools
  poolExists: entry('ModelArts.50015000', 409, 'Pool already exists. The name {name} is used by pool {id}.'),
  poolNotFound: entry('ModelArts.50015001', 404, 'Pool {name} not found.'),
  // plug-ins (decision 31: an unknown template is the generic not-found code, naming the object)
  pluginExists: entry('ModelArts.50015002', 409, 'Plugin {name} already exists on pool {pool}.'),
  pluginTemplateNotFound: entry('ModelArts.50005101', 404, 'Plugintemplate {name} not found.'),
  // nodes
  nodeNotFound: entry('ModelArts.50035001', 404, 'Node {name} not found.'),
  // node pools (nodepools-nodes-jobs.md §4, D-NP4)
  nodePoolNotFound: entry('ModelArts.50035002', 404, 'NodePool {name} not found.'),
  nodePoolExists: entry('ModelArts.50035003', 409, 'NodePool {name} already exists in pool {pool}.'),
  // networks
  networkExists: entry('ModelArts.50025000', 409, 'Network already exists. The name {name} is used by network {id}.'),
  networkNotFound: entry('ModelArts.50025001', 404, 'Network not exist. No network {name} in this project.'),
  networkInUse: entry('ModelArts.50025002', 409, 'Network {name} is in use by pool {pool} and cannot be deleted.'),
  // node configuration, jobs (decision 31: the generic not-found code, naming the object)
  nodeConfigTemplateNotFound: entry('ModelArts.50005101', 404, 'Node config template {name} not found.'),
  jobNotFound: entry('ModelArts.50005101', 404, 'Job {id} not found.'),
  scheduledEventNotFound: entry('ModelArts.50005101', 404, 'ScheduledEvent {id} not found.'),
  // orders (D-O3: the generic not-found code, naming the object)
  orderNotFound: entry('ModelArts.50005101', 404, 'Order {name} not found.'),
  // emulator controls (docs/emulator.md)
  faultNotFound: entry('Atelier.40401001', 404, 'Fault {id} not found.'),
  // API gateway layer
  routeNotFound: entry('APIGW.0101', 404, 'The API does not exist or has not been published in the environment.'),
  bodyTooLarge: entry('APIGW.0201', 413, 'Request entity too large.'),
  malformedRequest: entry('APIGW.0202', 400, 'Bad request: {reason}.'),
  headersTooLarge: entry('APIGW.0203', 431, 'Request header fields too large (the URL counts towards them).'),
  requestTimeout: entry('APIGW.0204', 408, 'Request timeout: the request was not received in time.'),
  expectationFailed: entry('APIGW.0205', 417, 'Expectation failed: only "Expect: 100-continue" is supported.'),
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorName = keyof typeof ERRORS;

/** A catalogue error, thrown by services; the HTTP layer turns it into the ModelArts envelope. */
export class AtelierError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(
    readonly kind: ErrorName,
    params: Record<string, string | number> = {},
    /** Further problems of the same request, listed beside the message (`more_errors`). */
    readonly more: readonly string[] = [],
  ) {
    const def = ERRORS[kind];
    super(fill(def.message, params));
    this.name = 'AtelierError';
    this.code = def.code;
    this.status = def.status;
  }
}

/** The envelope bounds the spec asks us to respect (error_msg 2–512 characters). */
const MAX_MESSAGE = 512;

function fill(template: string, params: Record<string, string | number>): string {
  const text = template.replace(/\{(\w+)\}/g, (_, key: string) => String(params[key] ?? '')).replace(/\s+$/, '');
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

export const badRequest = (detail: string) => new AtelierError('badRequest', { detail });
