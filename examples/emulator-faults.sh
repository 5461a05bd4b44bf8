#!/bin/sh
set -eu
: "${ENDPOINT:=http://127.0.0.1:8080}"
# The next creation of a pool named ci-* in this project fails:
curl -sf -X POST -H "Authorization: Bearer $ATELIER_ADMIN_TOKEN" -H 'content-type: application/json' \
  -d '{"operation":"create","project":"'"$PROJECT_ID"'","name":"ci-*","reason":"No capacity in az-1."}' \
  "$ENDPOINT/_atelier/faults"
# 201 {"id":1,"operation":"create","project":"2b05…","name":"ci-*","flavor":null,"remaining":1,"triggered":0,
#      "reason":"No capacity in az-1.","recoverAfterSeconds":null,"createdAt":"…"}

# Every running pool of one flavor turns Abnormal for five minutes; `applied` lists them:
curl -sf -X POST -H "Authorization: Bearer $ATELIER_ADMIN_TOKEN" -H 'content-type: application/json' \
  -d '{"operation":"abnormal","flavor":"modelarts.vm.gpu.t4","count":100,"recoverAfterSeconds":300}' \
  "$ENDPOINT/_atelier/faults"

curl -sf -H "Authorization: Bearer $ATELIER_ADMIN_TOKEN" "$ENDPOINT/_atelier/faults?project=$PROJECT_ID"
# {"faults":[…]}
curl -sf -X DELETE -H "Authorization: Bearer $ATELIER_ADMIN_TOKEN" "$ENDPOINT/_atelier/faults/1"
# {"cleared":[1],"healed":[]}           — 404 Atelier.40401001 for an unknown id
curl -sf -X DELETE -H "Authorization: Bearer $ATELIER_ADMIN_TOKEN" "$ENDPOINT/_atelier/faults"
# {"cleared":[2],"healed":["gpu-pool-3e1f…"]}   — pools the cleared faults made Abnormal are Running again
