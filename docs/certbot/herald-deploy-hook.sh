#!/bin/sh
# certbot deploy hook for Herald: after each successful issue or renewal, install the new
# certificate for every domain Herald serves that it names, and have the running server reload
# it (no restart, no dropped connections). Install:
#   cp herald-deploy-hook.sh /etc/letsencrypt/renewal-hooks/deploy/herald && chmod 755 "$_"
# certbot sets RENEWED_LINEAGE (e.g. /etc/letsencrypt/live/example.org). HERALD is the command
# that runs Herald's CLI, HERALD_CONFIG its configuration file; adjust both to your install.
set -eu
HERALD="${HERALD:-node /opt/herald/dist/cli/main.js}"
export HERALD_CONFIG="${HERALD_CONFIG:-/etc/herald/herald.yaml}"
: "${RENEWED_LINEAGE:?certbot sets RENEWED_LINEAGE for deploy hooks}"
# Runs as root (certbot does): only root reads privkey.pem; the installed files get the owner of
# Herald's certsDir, so the server's own user can read them.
exec $HERALD cert import "$RENEWED_LINEAGE"
