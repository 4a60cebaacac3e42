#!/usr/bin/env bash
# Installs the Debian packages Passerelle needs, only those missing.
#   espeak-ng      : French text-to-speech engine driven by pyttsx3 (kiosk, "Écouter" button)
#   libportaudio2  : microphone and speakers for sounddevice (kiosk)
#   chromium       : headless browser for the end-to-end tests (only with "test")
#   cups, cups-client : a private CUPS server (with its filters) and `lp`, for the kiosk's printing
#                    test (only with "test"; an agency kiosk uses its own CUPS, see kiosk/README.md)
# Usage: scripts/system-deps.sh [run|test]
set -euo pipefail
want=(espeak-ng libportaudio2)
[ "${1:-run}" = "test" ] && want+=(chromium cups cups-client)

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Paquets système manquants : ${missing[*]}. Installez-les avec le gestionnaire de paquets de votre système." >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "Installation des paquets système : ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
