import type { AppContext } from '../context.js';
import { objectMetadata } from '../shared/object-metadata.js';
import type { NodeRecord } from './node.record.js';
import type { Node } from './node.schema.js';
import { addAmounts, toAmounts, toQuantities } from '../workloads/workload.quantities.js';

/** The label node.plan.ts writes on accelerator nodes: the driver version they were built with. */
export const DRIVER_VERSION_LABEL = 'os.modelarts.node/driver.version';

/**
 * A node record as the wire shows it (nodepools-nodes-jobs.md §1): `driver` only
 * for GPU and NPU flavors (decision 22), `plugins` empty, and the whole of the
 * flavor's capacity less what the workloads running on it request (`used`, src/workloads/).
 */
export function toNode(ctx: AppContext, node: NodeRecord, used?: Record<string, number>): Node {
  const resources = ctx.flavors.nodeResources(node.flavor);
  const available = used ? toQuantities(addAmounts(toAmounts(resources), used, -1)) : { ...resources };
  return {
    apiVersion: 'v2',
    kind: 'Node',
    metadata: objectMetadata(node),
    spec: node.spec,
    status: {
      phase: node.phase,
      az: node.az,
      privateIp: node.privateIp,
      resources,
      availableResources: available,
      ...(node.driverPhase !== null
        ? { driver: { phase: node.driverPhase, version: node.labels[DRIVER_VERSION_LABEL] ?? '' } }
        : {}),
      plugins: [],
      ...(node.taints.length > 0 ? { taints: node.taints } : {}),
    },
  };
}
