#!/usr/bin/env bash
# Per-user install of the PrivateLink Wizard bundle (no root needed):
#   ~/.local/opt/privatelink-wizard/            the bundle (this folder)
#   ~/.local/bin/privatelink-wizard             a link to its executable, for the terminal
#   ~/.local/share/applications/…desktop        the menu entry, with the icon
# Run it again to update; `./install.sh --uninstall` removes all three.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix="${XDG_DATA_HOME:-$HOME/.local/share}"
opt="$HOME/.local/opt/privatelink-wizard"
bin="$HOME/.local/bin/privatelink-wizard"
desktop="$prefix/applications/privatelink-wizard.desktop"
icon="$prefix/icons/hicolor/256x256/apps/privatelink-wizard.png"

if [[ "${1:-}" == "--uninstall" ]]; then
    rm -rf "$opt" "$bin" "$desktop" "$icon"
    echo "PrivateLink Wizard removed. Your saved links and settings are kept."
    exit 0
fi

if [[ "$here" != "$opt" ]]; then
    rm -rf "$opt"
    mkdir -p "$(dirname "$opt")"
    cp -a "$here" "$opt"
fi
mkdir -p "$(dirname "$bin")" "$(dirname "$desktop")" "$(dirname "$icon")"
ln -sf "$opt/privatelink-wizard" "$bin"
cp "$opt/privatelink-wizard.png" "$icon"
# The menu entry needs the absolute path: ~/.local/bin is not on every desktop session's PATH.
sed "s|^Exec=.*|Exec=\"$opt/privatelink-wizard\"|" "$opt/privatelink-wizard.desktop" > "$desktop"
command -v update-desktop-database >/dev/null && update-desktop-database "$(dirname "$desktop")" || true
echo "PrivateLink Wizard installed: find it in your applications menu, or run $bin"
