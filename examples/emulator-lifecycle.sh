#!/bin/sh
set -eu
: "${ENDPOINT:=http://127.0.0.1:8080}"
curl -sf -H "Authorization: Bearer $ATELIER_ADMIN_TOKEN" "$ENDPOINT/_atelier/lifecycle"
# {"timings":{"networkCreate":{"mode":"auto","seconds":2},"networkDelete":{"mode":"auto","seconds":2},
#   "poolCreate":{"mode":"auto","seconds":5},"poolDelete":{"mode":"auto","seconds":3},"poolScale":{"mode":"auto","seconds":3}}}

# Pools stay Creating until told otherwise; `all` sets every step, a named step in the same body wins.
curl -sf -X PUT -H "Authorization: Bearer $ATELIER_ADMIN_TOKEN" -H 'content-type: application/json' \
  -d '{"poolCreate": {"mode": "manual"}}' "$ENDPOINT/_atelier/lifecycle"
curl -sf -X PUT -H "Authorization: Bearer $ATELIER_ADMIN_TOKEN" -H 'content-type: application/json' \
  -d '{"all": {"mode": "auto", "seconds": 0}}' "$ENDPOINT/_atelier/lifecycle"
