#!/bin/sh
set -eu
: "${ENDPOINT:=http://127.0.0.1:8080}"
# Everything: every project's networks, pools, events, usage counters, faults; timings and clock back to the configuration.
curl -sf -X POST -H "Authorization: Bearer $ATELIER_ADMIN_TOKEN" "$ENDPOINT/_atelier/reset"
# One project's resources and faults only; other projects are untouched.
curl -sf -X POST -H "Authorization: Bearer $ATELIER_ADMIN_TOKEN" -H 'content-type: application/json' \
  -d '{"project": "'"$PROJECT_ID"'"}' "$ENDPOINT/_atelier/reset"
