#!/usr/bin/env bash
# Installs the Debian servers the integration tests start on loopback, and the tools they drive
# (skopeo pushes multi-platform images into the registry; tmux is the real terminal the live
# progress tests read; zsh parses the zsh completion script), when they are missing.
# Tests never skip for a missing server or tool: they fail and name the package, so CI must have them.
set -euo pipefail

declare -A binary_of=(
  [prometheus]=prometheus
  [prometheus-pushgateway]=prometheus-pushgateway
  [docker-registry]=docker-registry
  [skopeo]=skopeo
  [tmux]=tmux
  [zsh]=zsh
)

missing=()
for package in "${!binary_of[@]}"; do
  command -v "${binary_of[$package]}" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-servers: missing ${missing[*]}; install them with: sudo apt-get install ${missing[*]}" >&2
  exit 0
fi

echo "ensure-servers: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# The packages' maintainer scripts try to start system services; tests start their own on loopback.
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
