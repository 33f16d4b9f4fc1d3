#!/usr/bin/env bash
# debian-base.sh [TAG] -- builds debian:bookworm-slim (or TAG) locally from Debian's
# packages, for hosts that reach Debian's mirrors but no image registry: debootstrap
# --variant=minbase, trimmed like Debian's slim image, then `docker import`. About 30 s.
# DEBIAN_MIRROR (default http://deb.debian.org/debian) picks the mirror. Needs root or sudo.
set -euo pipefail
TAG=${1:-debian:bookworm-slim}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
if ! command -v debootstrap >/dev/null; then
  echo "debian-base: installing debootstrap" >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    debootstrap >/dev/null 2>&1 ||
    { $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; }
fi
DIR=$(mktemp -d /tmp/debian-base.XXXXXX)
trap '$SUDO rm -rf "$DIR"' EXIT
echo "debian-base: debootstrap bookworm from $MIRROR" >&2
$SUDO debootstrap --variant=minbase bookworm "$DIR/root" "$MIRROR" >"$DIR/log" 2>&1 ||
  { tail -20 "$DIR/log" >&2; exit 1; }
R=$DIR/root
$SUDO tee "$R/etc/apt/sources.list" >/dev/null <<SRC
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb $SECURITY bookworm-security main
SRC
# what Debian's slim image leaves out, and its apt settings for containers
$SUDO tee "$R/etc/dpkg/dpkg.cfg.d/docker" >/dev/null <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CFG
$SUDO tee "$R/etc/apt/apt.conf.d/docker-clean" >/dev/null <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CFG
echo 'Acquire::Languages "none";' | $SUDO tee "$R/etc/apt/apt.conf.d/docker-no-languages" >/dev/null
$SUDO find "$R/usr/share/doc" -mindepth 2 -not -name copyright -not -type d -delete
$SUDO find "$R/usr/share/doc" -mindepth 1 -type d -empty -delete
$SUDO rm -rf "$R"/usr/share/man/* "$R"/usr/share/info/* "$R"/usr/share/lintian/* \
  "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/*.bin "$R"/var/cache/apt/archives/*.deb \
  "$R"/var/log/*.log "$R"/var/log/apt/* "$R"/tmp/* "$R"/root/.bash_history
$SUDO find "$R/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
: | $SUDO tee "$R/etc/resolv.conf" "$R/etc/hostname" >/dev/null
$SUDO tar -C "$R" --numeric-owner -c . |
  docker import --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - "$TAG" >/dev/null
echo "debian-base: made $TAG ($(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}'))" >&2
