#!/bin/sh
set -eu
atelier export                                   # JSON on stdout
atelier export --file world.yaml                 # YAML (by extension) into a file
atelier export --file world.json --include-secrets   # with every credential's SK (file mode 0600)
