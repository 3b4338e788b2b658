#!/usr/bin/env bash
# Two Linux network namespaces joined by a veth pair, for a transfer between
# "two hosts" on one machine (README "Two hosts"):
#   tsb-a<SUFFIX>  10.77.0.1/24   (the orchestrator's side)
#   tsb-b<SUFFIX>  10.77.0.2/24   (the agent's side)
# Usage: scripts/netns.sh up|down [SUFFIX]   (SUFFIX: up to 6 letters/digits,
# so several pairs can exist at once, e.g. one per test run). Idempotent:
# `up` on an existing pair only (re)applies addresses and links; `down` on a
# missing pair does nothing. Needs root (CAP_NET_ADMIN).
set -euo pipefail
action="${1:-}"
suffix="${2:-}"
if ! [[ "$suffix" =~ ^[a-z0-9]{0,6}$ ]]; then
  echo "netns.sh: SUFFIX \"$suffix\" is not accepted: expected up to 6 lower-case letters or digits" >&2
  exit 2
fi
A="tsb-a$suffix"
B="tsb-b$suffix"
# Interface names are at most 15 characters.
VA="tsbva$suffix"
VB="tsbvb$suffix"

exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }

case "$action" in
  up)
    exists "$A" || ip netns add "$A"
    exists "$B" || ip netns add "$B"
    if ! ip -n "$A" link show "$VA" >/dev/null 2>&1; then
      # A half-made pair from an interrupted `up`: start the veth over.
      ip link del "$VA" >/dev/null 2>&1 || true
      ip -n "$B" link del "$VB" >/dev/null 2>&1 || true
      ip link add "$VA" type veth peer name "$VB"
      ip link set "$VA" netns "$A"
      ip link set "$VB" netns "$B"
    fi
    ip -n "$A" addr replace 10.77.0.1/24 dev "$VA"
    ip -n "$B" addr replace 10.77.0.2/24 dev "$VB"
    for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
    ip -n "$A" link set "$VA" up
    ip -n "$B" link set "$VB" up
    echo "netns up: $A 10.77.0.1 <-> $B 10.77.0.2"
    ;;
  down)
    for ns in "$A" "$B"; do
      if exists "$ns"; then ip netns del "$ns"; fi
    done
    echo "netns down: $A $B"
    ;;
  *)
    echo "netns.sh: action \"$action\" is not accepted: expected up or down" >&2
    exit 2
    ;;
esac
