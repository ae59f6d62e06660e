#!/usr/bin/env bash
# Turn the PyInstaller .app into a drag-to-Applications .dmg; sign and notarize when certificates
# are supplied. packaging/build.py calls it:  build_dmg.sh "dist/PrivateLink Wizard.app" out.dmg
#
# Signing (all optional; without them the app keeps PyInstaller's ad-hoc signature, which runs on
# the build machine but makes Gatekeeper refuse it elsewhere until the user right-clicks > Open):
#   MACOS_CODESIGN_IDENTITY      "Developer ID Application: Your Company (TEAMID)"
#   MACOS_CERTIFICATE_P12        base64 of that certificate and its key (.p12), for CI machines
#   MACOS_CERTIFICATE_PASSWORD   the .p12's password
# Notarization (needs signing), either an app-specific password:
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD
# or a profile saved once with `xcrun notarytool store-credentials`:
#   NOTARY_KEYCHAIN_PROFILE
set -euo pipefail

app="${1:?usage: build_dmg.sh <path/to/App.app> <output.dmg>}"
dmg="${2:?usage: build_dmg.sh <path/to/App.app> <output.dmg>}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
entitlements="$here/entitlements.plist"
volume_name="PrivateLink Wizard"
identity="${MACOS_CODESIGN_IDENTITY:-}"

[[ -d "$app" ]] || { echo "No app bundle at $app: run packaging/build.py first." >&2; exit 1; }

keychain=""
cleanup() {
    [[ -n "$keychain" ]] && security delete-keychain "$keychain" >/dev/null 2>&1 || true
    [[ -n "${stage:-}" ]] && rm -rf "$stage"
}
trap cleanup EXIT

import_certificate() {
    # CI machines have no login keychain with our certificate: make a throw-away one.
    keychain="$(mktemp -d)/build.keychain-db"
    local password p12
    password="$(uuidgen)"
    p12="$(dirname "$keychain")/cert.p12"
    echo "$MACOS_CERTIFICATE_P12" | base64 --decode > "$p12"
    security create-keychain -p "$password" "$keychain"
    security set-keychain-settings -lut 3600 "$keychain"
    security unlock-keychain -p "$password" "$keychain"
    security import "$p12" -k "$keychain" -P "${MACOS_CERTIFICATE_PASSWORD:-}" \
        -T /usr/bin/codesign -T /usr/bin/security
    security set-key-partition-list -S apple-tool:,apple:,codesign: -s -k "$password" "$keychain" \
        >/dev/null
    # codesign looks only in the search list; keep the user's keychains in it.
    # shellcheck disable=SC2046
    security list-keychains -d user -s "$keychain" $(security list-keychains -d user | tr -d '"')
    rm -f "$p12"
}

sign() {
    codesign --force --timestamp --options runtime --sign "$identity" "$@"
}

sign_app() {
    echo "Signing $app as: $identity"
    # Inside out: every library and executable, then the framework bundles, then the app itself.
    # (codesign --deep is not meant for signing and misses files outside the standard places.)
    while IFS= read -r -d '' file; do
        if file -b "$file" | grep -q "Mach-O"; then
            sign "$file"
        fi
    done < <(find "$app/Contents/Frameworks" "$app/Contents/Resources" -type f -print0)
    while IFS= read -r -d '' framework; do
        sign "$framework"
    done < <(find "$app/Contents" -type d -name "*.framework" -print0 | sort -rz)
    sign --entitlements "$entitlements" "$app"
    codesign --verify --strict --deep --verbose=2 "$app"
}

notary_args=()
notary_credentials() {
    if [[ -n "${NOTARY_KEYCHAIN_PROFILE:-}" ]]; then
        notary_args=(--keychain-profile "$NOTARY_KEYCHAIN_PROFILE")
    elif [[ -n "${APPLE_ID:-}" && -n "${APPLE_TEAM_ID:-}" && -n "${APPLE_APP_PASSWORD:-}" ]]; then
        notary_args=(--apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" --password "$APPLE_APP_PASSWORD")
    else
        return 1
    fi
}

notarize() {  # notarize <file to submit> <file to staple>
    echo "Notarizing $1 (this usually takes a few minutes)"
    xcrun notarytool submit "$1" "${notary_args[@]}" --wait --timeout 30m
    # Staple the ticket so Gatekeeper accepts it offline too.
    xcrun stapler staple "$2"
    xcrun stapler validate "$2"
}

notarize_app() {
    # The app is notarized (as a zip) and stapled before it goes into the dmg: a user who copies
    # it to /Applications and opens it offline still has its ticket.
    local zip
    zip="$(mktemp -d)/app.zip"
    ditto -c -k --keepParent "$app" "$zip"
    notarize "$zip" "$app"
    rm -rf "$(dirname "$zip")"
    spctl --assess --type execute --verbose "$app"
}

make_dmg() {
    # hdiutil now and then fails with "Resource busy" on CI machines (Spotlight or a previous
    # mount holding the volume): try again after a pause, a few times.
    local attempt output
    for attempt in 1 2 3 4 5; do
        if output="$(hdiutil create -volname "$volume_name" -srcfolder "$stage" -fs HFS+ \
                -format UDZO -ov "$dmg" 2>&1)"; then
            echo "$output"
            return 0
        fi
        echo "$output" >&2
        if [[ "$output" != *"Resource busy"* || $attempt -eq 5 ]]; then
            return 1
        fi
        echo "hdiutil: resource busy, trying again in $((attempt * 10)) s (attempt $attempt of 5)" >&2
        sleep $((attempt * 10))
    done
}

notarizing=""
if [[ -n "$identity" ]]; then
    [[ -n "${MACOS_CERTIFICATE_P12:-}" ]] && import_certificate
    sign_app
    if notary_credentials; then
        notarizing=yes
        notarize_app
    else
        echo "Not notarizing: set APPLE_ID, APPLE_TEAM_ID and APPLE_APP_PASSWORD (or" \
             "NOTARY_KEYCHAIN_PROFILE) to notarize."
    fi
else
    echo "Not signing: set MACOS_CODESIGN_IDENTITY to sign with a Developer ID certificate."
fi

# The dmg window shows the app next to a link to /Applications: drag one onto the other.
stage="$(mktemp -d)"
ditto "$app" "$stage/$(basename "$app")"  # keeps symlinks and signatures intact
ln -s /Applications "$stage/Applications"
rm -f "$dmg"
make_dmg

if [[ -n "$identity" ]]; then
    codesign --force --timestamp --sign "$identity" "$dmg"
    if [[ -n "$notarizing" ]]; then
        notarize "$dmg" "$dmg"
        spctl --assess --type open --context context:primary-signature --verbose "$dmg"
    fi
fi
echo "Disk image: $dmg"
