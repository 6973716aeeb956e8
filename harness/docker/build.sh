#!/usr/bin/env bash
# Builds the reference control plane image FROM scratch: the afc binary plus
# the shared libraries `ldd` lists for it. Nothing is pulled.
#   harness/docker/build.sh [BINARY] [TAG]   (defaults: target/debug/afc afc-reference:dev)
set -euo pipefail
bin=${1:-target/debug/afc}
tag=${2:-afc-reference:dev}
[ -x "$bin" ] || { echo "no afc binary at $bin (cargo build --bin afc)"; exit 2; }
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/rootfs"
cp "$bin" "$ctx/rootfs/afc"
for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
  mkdir -p "$ctx/rootfs$(dirname "$lib")"
  cp -L "$lib" "$ctx/rootfs$lib"
done
cp "$(dirname "$0")/Dockerfile" "$ctx/Dockerfile"
docker build -q -t "$tag" "$ctx" >/dev/null
echo "$tag"
