#!/usr/bin/env bash
# Exercises `tls-sst-bench profile --tool flame` (Clinic.js via npx) and checks
# that Clinic's HTML was produced. If Clinic itself cannot be fetched from the
# registry, that is said and skipped; once fetched, any failure is fatal.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! NO_INSIGHT=1 timeout 300 npx -y clinic@13.0.0 --version >/dev/null 2>&1; then
  echo "ci-profile: could not fetch clinic@13.0.0 with npx; profile --tool flame NOT exercised"
  exit 0
fi
out=$(mktemp -d)
fx=$(mktemp -d)
trap 'rm -rf "$out" "$fx"' EXIT
node bin/tls-sst-bench.js profile --role receiver --tool flame -- \
  --sizes 16MB --suites TLS_AES_128_GCM_SHA256 --iterations 2 --warmup 0 --out "$out" --fixtures-dir "$fx" > "$out/profile.log"
html=$(ls "$out"/*/profile/*.clinic-flame.html)
test -s "$html"
grep -q "<html" "$html"
echo "ci-profile: profile --tool flame produced $(basename "$html") ($(wc -c < "$html") bytes)"
