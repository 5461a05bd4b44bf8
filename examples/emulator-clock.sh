#!/bin/sh
set -eu
: "${ENDPOINT:=http://127.0.0.1:8080}"
curl -sf -X POST -H "Authorization: Bearer $ATELIER_ADMIN_TOKEN" -H 'content-type: application/json' \
  -d '{"hours": 73}' "$ENDPOINT/_atelier/clock/advance"
# {"now":"2026-03-04T09:00:00.000Z","offsetSeconds":262800,"stepsRun":4}
curl -sf -H "Authorization: Bearer $ATELIER_ADMIN_TOKEN" "$ENDPOINT/_atelier/clock"
