#!/bin/sh
set -eu
: "${ENDPOINT:=http://127.0.0.1:8080}"
# Every pending step of one pool, by metadata.name or display name:
curl -sf -X POST -H "Authorization: Bearer $ATELIER_ADMIN_TOKEN" -H 'content-type: application/json' \
  -d '{"name": "ci-pool"}' "$ENDPOINT/_atelier/lifecycle/advance"
# {"advanced":[{"kind":"pool","project":"2b05…","name":"ci-pool-0f4c…","phase":"Running"}]}
