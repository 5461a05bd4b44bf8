#!/bin/sh
# A server with the emulator controls: they exist only when ATELIER_ADMIN_TOKEN is set.
export ATELIER_ADMIN_TOKEN=$(openssl rand -hex 24)
atelier serve &
: "${ENDPOINT:=http://127.0.0.1:8080}"
curl -sf --retry 20 --retry-delay 1 --retry-connrefused \
  -H "Authorization: Bearer $ATELIER_ADMIN_TOKEN" "$ENDPOINT/_atelier/clock"
# {"now":"2026-03-01T08:00:00.000Z","offsetSeconds":0}
