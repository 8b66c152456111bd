#!/bin/bash
# Turn a fresh Debian 12/13 machine into a locked-down kiosk appliance.
#
#   sudo deploy/install-appliance.sh [--source DIR] [--kiosk-id ID] [--dry-run]
#
# Installs system packages, creates the unprivileged user "kiosk", puts the app in
# /opt/kiosk (venv), its settings in /etc/kiosk/kiosk.ini (data in /var/lib/kiosk), udev rules,
# and the systemd unit (cage on tty7, Restart=on-failure, WatchdogSec).  Safe to run again
# (an upgrade keeps /etc/kiosk/kiosk.ini).  --dry-run prints every step without doing it.
# Steps and their reasons: docs/operations.md.
set -euo pipefail

SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KIOSK_ID=""
DRY_RUN=0
while [ $# -gt 0 ]; do
    case "$1" in
        --source) SOURCE="$2"; shift 2 ;;
        --kiosk-id) KIOSK_ID="$2"; shift 2 ;;
        --dry-run) DRY_RUN=1; shift ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done

PREFIX=/opt/kiosk
ETC=/etc/kiosk
DATA=/var/lib/kiosk
USER_NAME=kiosk
PACKAGES=(python3 python3-venv python3-pip cage xwayland pcscd libccid libpcsclite1 libgl1 libgl1-mesa-dri
          libgles2 libegl1 libmtdev1 libzbar0 espeak-ng fonts-dejavu-core ca-certificates)

run() {
    echo "+ $*"
    if [ "$DRY_RUN" = 0 ]; then "$@"; fi
}

if [ "$DRY_RUN" = 0 ] && [ "$(id -u)" != 0 ]; then
    echo "install-appliance.sh: run as root (sudo), or with --dry-run to see the steps" >&2
    exit 1
fi
[ -f "$SOURCE/pyproject.toml" ] || { echo "no kiosk source in $SOURCE" >&2; exit 2; }

echo "== 1. system packages"
run apt-get update
run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${PACKAGES[@]}"

echo "== 2. the unprivileged appliance user"
if ! id "$USER_NAME" >/dev/null 2>&1; then
    run useradd --system --create-home --home-dir "$DATA" --shell /usr/sbin/nologin "$USER_NAME"
fi
for group in video input render lp dialout plugdev; do
    getent group "$group" >/dev/null 2>&1 || run groupadd --system "$group"
done
run usermod -a -G video,input,render,lp,dialout,plugdev "$USER_NAME"
run install -d -o "$USER_NAME" -g "$USER_NAME" -m 0700 "$DATA"

echo "== 3. the application (root-owned, read-only for the kiosk user)"
run install -d -m 0755 "$PREFIX"
run rm -rf "$PREFIX/app.new"
run cp -a "$SOURCE" "$PREFIX/app.new"
run rm -rf "$PREFIX/app.new/.git" "$PREFIX/app"
run mv "$PREFIX/app.new" "$PREFIX/app"
[ -x "$PREFIX/venv/bin/python" ] || run python3 -m venv "$PREFIX/venv"
run "$PREFIX/venv/bin/pip" install --upgrade pip
run "$PREFIX/venv/bin/pip" install "$PREFIX/app"
run chown -R root:root "$PREFIX"

echo "== 4. settings (kept on upgrade): a production template, never the demo kiosk.ini"
run install -d -m 0750 -o root -g "$USER_NAME" "$ETC"
if [ ! -f "$ETC/kiosk.ini" ]; then
    run install -m 0640 -o root -g "$USER_NAME" "$SOURCE/deploy/kiosk.production.ini" "$ETC/kiosk.ini"
    if [ -n "$KIOSK_ID" ]; then
        run sed -i -e "s|^kiosk_id = .*|kiosk_id = $KIOSK_ID|" "$ETC/kiosk.ini"
    fi
    echo "   !! complete $ETC/kiosk.ini (lines marked TODO): PIN hashes, devices, gateway, CSCA trust store"
fi
if [ ! -f "$ETC/audit.key" ]; then
    # the audit log's HMAC key, outside the data folder and read-only for the kiosk user
    run sh -c "umask 077 && head -c 32 /dev/urandom > '$ETC/audit.key'"
    run chown root:"$USER_NAME" "$ETC/audit.key"
    run chmod 0640 "$ETC/audit.key"
fi
PRODUCTION_OK=1
run "$PREFIX/venv/bin/kiosk" config check --production "$ETC/kiosk.ini" || PRODUCTION_OK=0

echo "== 5. devices: udev rules, smart-card service"
run install -m 0644 "$SOURCE/deploy/99-kiosk.rules" /etc/udev/rules.d/99-kiosk.rules
run udevadm control --reload-rules
run udevadm trigger
run systemctl enable --now pcscd.socket

echo "== 6. lock-down"
run systemctl mask ctrl-alt-del.target
run install -d -m 0755 /etc/sysctl.d
if [ "$DRY_RUN" = 0 ]; then
    echo "kernel.sysrq = 0" > /etc/sysctl.d/90-kiosk.conf
else
    echo "+ write /etc/sysctl.d/90-kiosk.conf: kernel.sysrq = 0"
fi
run sysctl --system

echo "== 7. the kiosk service"
run install -m 0644 "$SOURCE/deploy/kiosk.service" /etc/systemd/system/kiosk.service
run systemctl daemon-reload
run systemctl set-default graphical.target
if [ "$PRODUCTION_OK" = 1 ]; then
    run systemctl enable kiosk.service
    run systemctl restart kiosk.service
else
    echo "   !! kiosk.service NOT enabled: $ETC/kiosk.ini is not ready for production (see above)."
    echo "   !! complete it, then run this script again (or: kiosk config check --production && systemctl enable --now kiosk)"
    [ "$DRY_RUN" = 1 ] || exit 3
fi

echo "== done: 'systemctl status kiosk' shows READY and the watchdog; 'sudo -u $USER_NAME KIOSK_CONFIG=$ETC/kiosk.ini $PREFIX/venv/bin/kiosk doctor' checks the devices"
