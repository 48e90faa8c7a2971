#!/usr/bin/env bash
# Installs what the strongSwan interop lab (test/interop/lab.mjs) needs on Debian 12:
# two charon daemons in network namespaces, swanctl, pki, tcpdump/tshark for captures, and ping for
# the TUN adapter tests, iperf3 for TCP through the tunnels (data-plane tests, bench:esp).
# Idempotent: does nothing when every package is already installed. Run as root.
set -euo pipefail

# libstrongswan-standard-plugins: the openssl (ECP, X25519) and gcm plugins; Debian ships them apart from charon.
PACKAGES=(strongswan-swanctl strongswan-charon libcharon-extra-plugins libstrongswan-standard-plugins strongswan-pki tshark iproute2 tcpdump iputils-ping iperf3)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-interop-deps: all installed (${PACKAGES[*]})"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-interop-deps: missing ${missing[*]}; run as root" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer "no" without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
# iperf3 asks whether to start a system-wide server; it must not.
echo "iperf3 iperf3/start_daemon boolean false" | debconf-set-selections
apt-get update
apt-get install -y --no-install-recommends "${PACKAGES[@]}"
echo "install-interop-deps: installed ${missing[*]}"
