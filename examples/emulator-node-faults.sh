#!/bin/sh
# Node faults on the pool examples/seed-nodes.yaml seeds: its nodes have names known in advance.
set -eu
: "${ENDPOINT:=http://127.0.0.1:8080}"
faults() {
  curl -sf -X "$1" -H "Authorization: Bearer $ATELIER_ADMIN_TOKEN" -H 'content-type: application/json' \
    ${2:+-d "$2"} "$ENDPOINT/_atelier/faults${3:-}"
  echo
}
# One named node turns Abnormal, and its pool with it; `applied` names the node:
faults POST '{"operation":"nodeAbnormal","name":"ci-cpu-1"}'
# {"id":1,"operation":"nodeAbnormal",…,"remaining":0,"triggered":1,…,"applied":["ci-cpu-1"]}
# A GPU node stays Available with status.driver.phase Abnormal; the pool is not affected:
faults POST '{"operation":"driverAbnormal","name":"ci-gpu-1"}'
# {"id":2,"operation":"driverAbnormal",…,"applied":["ci-gpu-1"]}
# The next 2 nodes of pools named gpu-* to come up (a scale-out, a new node pool) end Abnormal:
faults POST '{"operation":"nodeCreate","name":"gpu-*","count":2}'
# The next node of gpu-pool that is rebooted or reset does not come back (its job fails):
faults POST '{"operation":"nodeReboot","name":"gpu-pool"}'
# Clearing a fault heals the nodes it hit; the pool is Running once none of its nodes is Abnormal:
faults DELETE '' /1
# {"cleared":[1],"healed":["ci-cpu-1"]}
faults DELETE ''
# {"cleared":[2,3,4],"healed":["ci-gpu-1"]}
# The pool's nodes in the seed format, as examples/seed-nodes.yaml describes them:
atelier export --file world-nodes.yaml
