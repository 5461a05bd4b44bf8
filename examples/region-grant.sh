#!/bin/sh
# Another region: a project named after it, granted to an existing key, then the region flow.
# Run: AK=… SK=… sh examples/region-grant.sh   (from the repository, the atelier command on the PATH)
set -eu
atelier projects create --name cn-east-3
atelier credentials grant "$AK" --project cn-east-3
REGION=cn-east-3 node examples/region-flow.mjs
