#!/bin/sh
# A user with a password, a token from IAM's POST /v3/auth/tokens, and a call with X-Auth-Token.
# Run: PROJECT_ID=… sh examples/token-flow.sh   (curl and the atelier command on the PATH)
set -eu
ENDPOINT=${ENDPOINT:-http://127.0.0.1:8080}

printf '%s\n' 'a-long-password' |
  atelier users create alice --account default --password-stdin --project "$PROJECT_ID"

TOKEN=$(curl -sf -D - -o /dev/null "$ENDPOINT/v3/auth/tokens" -H 'content-type: application/json' -d '{
  "auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "alice",
    "password": "a-long-password", "domain": {"name": "default"}}}},
    "scope": {"project": {"id": "'"$PROJECT_ID"'"}}}}' | awk 'tolower($1) == "x-subject-token:" {print $2}' | tr -d '\r')

curl -sf -H "X-Auth-Token: $TOKEN" "$ENDPOINT/v1/$PROJECT_ID/quotas"
echo
