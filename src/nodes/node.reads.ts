/**
 * What other rooms may read of nodes (a pool's counts, a flavor's used
 * capacity, a page of a pool's nodes); they never import the store.
 */
export {
  countFlavorNodes,
  countNetworkNodes,
  deleteAllPoolNodes,
  findNode,
  makePoolNodesDue,
  selectNodePage,
  selectNodesAnnotated,
  selectNodesByName,
  networkKeyOf,
  selectDueNodes,
  selectNodesInPhase,
  selectPoolNodesInPhases,
  selectTallies,
  startTallies,
} from './node.store.js';
export type { NodeRecord, NodeTally } from './node.record.js';
export { selectDueCreatingNodes, selectNodesByIp, selectPoolNodesAnnotated } from './node.finds.js';
