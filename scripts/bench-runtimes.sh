#!/usr/bin/env bash
# npm run bench:runtimes: the system Node and Node 24 side by side, per suite.
# Installs Node 24 from the npm registry first if it is not in .runtimes/.
# Extra arguments go to `tls-sst-bench run` (e.g. --out /tmp/runtimes).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node24="$(bash "$root/scripts/install-node.sh" 24 2>/dev/null)"
system="$(node -p process.execPath)"
exec node "$root/bin/tls-sst-bench.js" run \
  --sizes 64MB --chunks 16KiB,256KiB \
  --suites TLS_AES_128_GCM_SHA256,TLS_CHACHA20_POLY1305_SHA256,TLS_AES_256_GCM_SHA384 \
  --iterations 5 \
  --node "$system" --node "$node24" \
  "$@"
