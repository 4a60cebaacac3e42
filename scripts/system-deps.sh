#!/usr/bin/env bash
# Installs the Debian packages Passerelle needs, only those missing.
#   libttspico-utils : SVOX Pico, the kiosk's and the widget's French voice (pico2wave;
#                      Debian non-free). Every voice has its own rate setting and the gain
#                      is applied in numpy, so no sox is needed.
#   espeak-ng        : fallback French voice through pyttsx3, and MBROLA's front end
#   libportaudio2    : microphone and speakers for sounddevice (kiosk)
#   nginx            : the load balancer in front of several Rasa processes
#                      (RASA_PROCESSES > 1); `make run` starts its own nginx with a
#                      generated configuration, the system's nginx service is not used
# With "test", also what the tests and the spoken test set need:
#   mbrola, mbrola-fr1, mbrola-fr4 : extra French voices (espeak-ng mb-fr1, mb-fr4;
#                                    their licence forbids selling them: tests only)
#   chromium                       : headless browser for the end-to-end tests
#   cups, cups-client : a private CUPS server (with its filters) and `lp`, for the kiosk's
#                    printing test (an agency kiosk uses its own CUPS, see kiosk/README.md)
# Pico and MBROLA are in Debian's contrib/non-free sections: they are added to apt's
# sources when missing (deb822 files of bookworm, or the one-line sources.list).
# Usage: scripts/system-deps.sh [run|test]
set -euo pipefail
want=(libttspico-utils espeak-ng libportaudio2 nginx)
[ "${1:-run}" = "test" ] && want+=(mbrola mbrola-fr1 mbrola-fr4 chromium cups cups-client)
needs_non_free=(libttspico-utils mbrola mbrola-fr1 mbrola-fr4)

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

# Adds "contrib non-free" to every Debian source line that lacks them (deb822 `.sources`
# files of bookworm, or the one-line /etc/apt/sources.list).
enable_non_free() {
  local file before changed=0
  for file in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list; do
    [ -f "$file" ] || continue
    before=$(sha1sum <"$file")
    if [[ "$file" == *.sources ]]; then
      grep -qE '^URIs:.*debian' "$file" || continue
      $sudo sed -i -E '/^Components:/{/ contrib( |$)/!s/$/ contrib/;/ non-free( |$)/!s/$/ non-free/}' "$file"
    else
      $sudo sed -i -E '/^deb(-src)? .*debian/{/ contrib( |$)/!s/$/ contrib/;/ non-free( |$)/!s/$/ non-free/}' "$file"
    fi
    [ "$before" = "$(sha1sum <"$file")" ] || changed=1
  done
  if [ $changed -eq 1 ]; then
    echo "Sections contrib et non-free ajoutées aux sources d'apt (voix Pico et MBROLA)."
  fi
}

for pkg in "${missing[@]}"; do
  if [[ " ${needs_non_free[*]} " == *" $pkg "* ]]; then
    enable_non_free
    break
  fi
done

echo "Installation des paquets système : ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# Debian starts nginx's own service (a default site on port 80) when it installs it:
# Passerelle runs its own nginx, so the service it did not ask for is stopped and disabled.
if [[ " ${missing[*]} " == *" nginx "* ]] && command -v systemctl >/dev/null 2>&1 \
  && [ -d /run/systemd/system ]; then
  $sudo systemctl disable --now nginx >/dev/null 2>&1 || true
  echo "Service nginx du système arrêté : Passerelle lance son propre nginx."
fi
