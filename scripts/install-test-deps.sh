#!/usr/bin/env bash
# System packages the tests use: RocksDB's sst_dump (Debian rocksdb-tools) to
# check that fixtures are real SST files; headless Chromium (Debian chromium)
# to open report.html; gnutls-cli (Debian gnutls-bin) for the GnuTLS receiver
# peer; gcc and libgnutls28-dev to build the GnuTLS sender peer. Idempotent; needs root or sudo.
set -euo pipefail
need=()
command -v sst_dump >/dev/null 2>&1 || need+=(rocksdb-tools)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# scripts/netns.sh (the two-host agent test) uses ip(8).
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v gnutls-cli >/dev/null 2>&1 || need+=(gnutls-bin)
# --sender-peer gnutls compiles peers/gnutls-sender.c on first use: a C compiler and GnuTLS headers.
command -v cc >/dev/null 2>&1 || need+=(gcc)
{ pkg-config --exists gnutls 2>/dev/null || [ -f /usr/include/gnutls/gnutls.h ]; } || need+=(libgnutls28-dev)
# The browser test drives this exact path (playwright-core downloads no browser).
command -v /usr/bin/chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then
  echo "test dependencies present: sst_dump, openssl, gnutls-cli, cc, gnutls headers, chromium"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
