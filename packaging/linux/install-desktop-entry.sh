#!/usr/bin/env bash
# Add BrainCert Hook Studio to the current user's application menu, or remove it.
#
#   ./install-desktop-entry.sh            add the menu entry and the icons
#   ./install-desktop-entry.sh --remove   remove them again
#
# Run it from the unpacked bundle folder; the menu entry starts the
# bchook-studio executable beside this script. Files go under
# ${XDG_DATA_HOME:-~/.local/share}; nothing needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
entry=$data/applications/bchook-studio.desktop

refresh_caches() {
  command -v update-desktop-database >/dev/null && update-desktop-database "$data/applications" || true
  command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
}

if [[ "${1:-}" == "--remove" ]]; then
  rm -f "$entry"
  find "$data/icons/hicolor" -path '*/apps/bchook-studio.png' -delete 2>/dev/null || true
  refresh_caches
  echo "removed $entry and the bchook-studio icons"
  exit 0
fi

mkdir -p "$data/applications" "$data/icons"
sed "s|^Exec=bchook-studio\$|Exec=\"$here/bchook-studio\"|" \
  "$here/share/applications/bchook-studio.desktop" >"$entry"
cp -r "$here/share/icons/hicolor" "$data/icons/"
refresh_caches
echo "added $entry; BrainCert Hook Studio is in the application menu"
