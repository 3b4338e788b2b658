#!/usr/bin/env bash
# System packages the tests use: RocksDB's sst_dump (Debian rocksdb-tools) to
# check that fixtures are real SST files. Idempotent; needs root or sudo.
set -euo pipefail
need=()
command -v sst_dump >/dev/null 2>&1 || need+=(rocksdb-tools)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -eq 0 ]; then
  echo "test dependencies present: sst_dump, openssl"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
