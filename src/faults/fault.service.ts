// The emulator's faults (docs/emulator.md, "Faults") as other rooms use them: the
// admin controls register and clear them, a pool's lifecycle steps consume them
// and mark the pools they made Abnormal.
export {
  deleteFaults,
  FAULT_OPERATIONS,
  faultMatches,
  findFault,
  findFaultedPool,
  insertFault,
  NODE_FAULTS,
  markFaultedPool,
  selectFaultedPoolIds,
  selectFaults,
  takeFault,
  takeFaults,
  unmarkFaultedPool,
  type FaultOperation,
  type FaultRecord,
  type FaultTarget,
  type NewFault,
} from './fault.store.js';
