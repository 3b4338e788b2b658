#!/usr/bin/env bash
# System packages the tests use, installed with apt-get when missing:
#   rocksdb-tools    sst_dump: fixtures are real SST files
#   openssl          the s_client receiver and s_server sender peers
#   libssl-dev       OpenSSL headers: the native OpenSSL peer is compiled on first use
#   iproute2         ip(8): scripts/netns.sh, the two-host agent test
#   gnutls-bin       gnutls-cli: the GnuTLS receiver peer
#   gcc, libgnutls28-dev  the GnuTLS sender peer is compiled on first use
#   chromium         headless Chromium at /usr/bin/chromium opens report.html
#   util-linux       setpriv: an external peer dies with the orchestrator
# Idempotent and quick when everything is present (no apt-get at all). Where it
# cannot install (not root and no password-less sudo, or no apt-get), it prints
# one line naming the packages and the command to run, and exits 1.
# SYSROOT (tests only) prefixes the absolute paths checked, so a test can run
# this script against an empty machine.
set -euo pipefail
root="${SYSROOT:-}"
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have sst_dump || need+=(rocksdb-tools)
have openssl || need+=(openssl)
[ -f "$root/usr/include/openssl/ssl.h" ] || need+=(libssl-dev)
have ip || need+=(iproute2)
have gnutls-cli || need+=(gnutls-bin)
have cc || need+=(gcc)
[ -f "$root/usr/include/gnutls/gnutls.h" ] || need+=(libgnutls28-dev)
# The browser test drives this exact path (playwright-core downloads no browser).
[ -x "$root/usr/bin/chromium" ] || need+=(chromium)
have setpriv || need+=(util-linux)
if [ ${#need[@]} -eq 0 ]; then
  echo "test dependencies present: sst_dump, openssl, OpenSSL headers, ip, gnutls-cli, cc, GnuTLS headers, chromium, setpriv"
  exit 0
fi
command_line="apt-get install -y ${need[*]}"
if ! have apt-get; then
  echo "tls-sst-bench tests need these Debian packages, and this machine has no apt-get: ${need[*]}; install their equivalents, then run npm test again" >&2
  exit 1
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if have sudo && sudo -n true >/dev/null 2>&1; then
    SUDO=(sudo -n)
  else
    echo "tls-sst-bench tests need these Debian packages and cannot install them (not root, no password-less sudo): ${need[*]}; run: sudo $command_line" >&2
    exit 1
  fi
fi
echo "installing: ${need[*]}"
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
