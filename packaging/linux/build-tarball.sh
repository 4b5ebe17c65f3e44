#!/usr/bin/env bash
# Pack the frozen Linux bundle, its desktop entry and its icons into a .tar.xz.
#
#   packaging/linux/build-tarball.sh [BUNDLE] [OUTPUT_FOLDER]
#
# BUNDLE defaults to dist/bchook-studio (from `make package`), OUTPUT_FOLDER to
# dist. The version in the file name is the one the frozen app reports, which
# comes from the package metadata.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bundle=$(cd "${1:-$root/dist/bchook-studio}" && pwd)
output=$(mkdir -p "${2:-$root/dist}" && cd "${2:-$root/dist}" && pwd)
icons=$root/build/generated/icons/hicolor

if [[ ! -x "$bundle/bchook-studio" || ! -d "$icons" ]]; then
  echo "build-tarball: $bundle/bchook-studio or $icons is missing; run make package first" >&2
  exit 1
fi

version=$("$bundle/bchook-studio" --version | awk '{ print $2 }')
name=bchook-studio-$version-linux-$(uname -m)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

cp -a "$bundle" "$stage/$name"
mkdir -p "$stage/$name/share/applications" "$stage/$name/share/icons"
cp "$root/resources/bchook-studio.desktop" "$stage/$name/share/applications/"
cp -a "$icons" "$stage/$name/share/icons/"
cp "$root/packaging/linux/install-desktop-entry.sh" "$stage/$name/"

tar -C "$stage" --owner=0 --group=0 -cf - "$name" | xz -9 -T0 >"$output/$name.tar.xz"
echo "wrote $output/$name.tar.xz ($(du -h "$output/$name.tar.xz" | cut -f1))"
