#!/usr/bin/env bash
# Prints the path of a Node 24 LTS binary, fetching it once from the npm registry when missing.
# The npm package node-linux-<arch> ships the official Node binary; nothing else is installed.
# Cached under node_modules/.cache so a fresh clone fetches it once and `npm ci` clears it.
set -euo pipefail
cd "$(dirname "$0")/.."

major=24
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "ensure-node24: no Node $major package for $(uname -m)" >&2; exit 1 ;;
esac
cache="node_modules/.cache/relctl-node$major"
node_bin="$cache/package/bin/node"

if [ ! -x "$node_bin" ] || [ "$("$node_bin" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" != "$major" ]; then
  rm -rf "$cache"
  mkdir -p "$cache"
  echo "ensure-node24: fetching node-linux-$arch@$major from the npm registry" >&2
  if ! tarball=$(cd "$cache" && npm pack --silent "node-linux-$arch@$major" 2>/dev/null | tail -1) || [ -z "$tarball" ]; then
    echo "ensure-node24: could not fetch the npm package node-linux-$arch@$major (is the npm registry reachable?)" >&2
    exit 1
  fi
  tar -xzf "$cache/$tarball" -C "$cache" package/bin/node
  rm -f "$cache/$tarball"
fi
echo "$PWD/$node_bin"
