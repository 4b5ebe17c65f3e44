#!/usr/bin/env bash
# Sign and notarise the macOS app when credentials are set, and pack it in a .dmg.
#
#   packaging/macos/build-dmg.sh [APP] [OUTPUT_FOLDER]
#
# APP defaults to "dist/BrainCert Hook Studio.app" (from the PyInstaller spec),
# OUTPUT_FOLDER to dist/installers. The version in the file name is the app's
# CFBundleShortVersionString, which the spec takes from the package metadata.
#
# Environment:
#   MACOS_SIGNING_IDENTITY  a "Developer ID Application: ..." identity in the
#                           keychain; without it the app and the .dmg stay
#                           unsigned, and Gatekeeper warns before the first start
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD
#                           an Apple ID, its team and an app-specific password
#                           for notarytool; without all three (or without
#                           signing) notarisation is skipped
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
app=${1:-"$root/dist/BrainCert Hook Studio.app"}
output=${2:-"$root/dist/installers"}

if [[ ! -d "$app/Contents/MacOS" ]]; then
  echo "build-dmg: $app is not an app bundle; run pyinstaller packaging/bchook-studio.spec first" >&2
  exit 1
fi

plist="$app/Contents/Info.plist"
version=$(/usr/libexec/PlistBuddy -c 'Print :CFBundleShortVersionString' "$plist")
name=$(/usr/libexec/PlistBuddy -c 'Print :CFBundleName' "$plist")
mkdir -p "$output"
dmg="$output/BrainCertHookStudio-$version-macos-$(uname -m).dmg"

signing=${MACOS_SIGNING_IDENTITY:-}
if [[ -n "$signing" ]]; then
  echo "Signing $app"
  codesign --force --deep --options runtime --timestamp --sign "$signing" "$app"
  codesign --verify --deep --strict --verbose=2 "$app"
else
  echo "MACOS_SIGNING_IDENTITY is not set: the app and the .dmg stay unsigned."
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
ditto "$app" "$stage/$(basename "$app")"
ln -s /Applications "$stage/Applications"
rm -f "$dmg"
hdiutil create -volname "$name $version" -srcfolder "$stage" -fs HFS+ \
  -format UDZO -imagekey zlib-level=9 "$dmg"

if [[ -n "$signing" ]]; then
  codesign --force --timestamp --sign "$signing" "$dmg"
fi

if [[ -n "$signing" && -n "${APPLE_ID:-}" && -n "${APPLE_TEAM_ID:-}" && -n "${APPLE_APP_PASSWORD:-}" ]]; then
  echo "Notarising $dmg (this waits for Apple's answer)"
  result="$stage/notarytool.plist"
  xcrun notarytool submit "$dmg" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
    --password "$APPLE_APP_PASSWORD" --wait --output-format plist >"$result"
  status=$(/usr/libexec/PlistBuddy -c 'Print :status' "$result")
  if [[ "$status" != "Accepted" ]]; then
    submission=$(/usr/libexec/PlistBuddy -c 'Print :id' "$result")
    echo "build-dmg: notarisation ended with status $status; see" \
      "xcrun notarytool log $submission" >&2
    exit 1
  fi
  xcrun stapler staple "$dmg"
  xcrun stapler validate "$dmg"
else
  echo "Notarisation skipped: it needs MACOS_SIGNING_IDENTITY, APPLE_ID, APPLE_TEAM_ID and APPLE_APP_PASSWORD."
fi

echo "wrote $dmg"
