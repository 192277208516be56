#!/usr/bin/env bash
# Installs whatever GSV Studio needs that this machine lacks, and sets the environment for
# building it. Sourced by start.sh and test.sh; safe to repeat: each step checks first and skips
# what is already there.

set -euo pipefail

GSV_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GSV_VENV="$GSV_ROOT/.venv"
GSV_TOOLS="$GSV_ROOT/.tools"
GSV_TORCH_VERSION="2.13.0"   # the libtorch that tch 0.26 is written against
GSV_TAURI_DRIVER_VERSION="2.1.0"
GSV_CARGO_FUZZ_VERSION="0.13.2"
GSV_MIN_NODE_MAJOR=20

GSV_DEBIAN_PACKAGES=(
  build-essential pkg-config curl wget file xauth
  libwebkit2gtk-4.1-dev libjavascriptcoregtk-4.1-dev libsoup-3.0-dev libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev libasound2-dev
  python3-venv
  xvfb webkit2gtk-driver
  sox ffmpeg espeak-ng
  fonts-noto-cjk
)

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_debian_packages() {
  local missing=()
  for package in "${GSV_DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    say "Debian packages: all present"
    return
  fi
  say "Debian packages: installing ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
}

check_rust() {
  if ! command -v cargo >/dev/null 2>&1; then
    say "Rust: installing the stable toolchain with rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal \
      --component rustfmt,clippy
    # shellcheck disable=SC1091
    source "$HOME/.cargo/env"
  fi
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
  say "Rust: $(cargo --version)"
}

check_node() {
  local major
  major="$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || true)"
  if [ -z "$major" ] || [ "$major" -lt "$GSV_MIN_NODE_MAJOR" ]; then
    echo "Node.js $GSV_MIN_NODE_MAJOR or newer is needed (found: ${major:-none})." >&2
    echo "Install it from your distribution or nodejs.org, then run this again." >&2
    exit 1
  fi
  say "Node.js: $(node --version)"
}

install_node_packages() {
  if [ -f "$GSV_ROOT/node_modules/.package-lock.json" ] \
    && [ "$GSV_ROOT/node_modules/.package-lock.json" -nt "$GSV_ROOT/package-lock.json" ]; then
    say "Node packages: up to date"
    return
  fi
  say "Node packages: installing"
  (cd "$GSV_ROOT" && npm ci --no-audit --no-fund)
}

# libtorch comes from PyTorch's wheel on PyPI; the venv exists only to hold it. Nothing in the
# product runs Python.
install_libtorch() {
  if [ -x "$GSV_VENV/bin/python" ] && "$GSV_VENV/bin/python" -c \
    "import torch, sys; sys.exit(0 if torch.__version__.startswith('$GSV_TORCH_VERSION') else 1)" \
    2>/dev/null; then
    say "libtorch: torch $GSV_TORCH_VERSION present in .venv"
    return
  fi
  say "libtorch: installing torch $GSV_TORCH_VERSION into .venv (about 4.7 GB with CUDA libraries)"
  python3 -m venv "$GSV_VENV"
  "$GSV_VENV/bin/pip" install --quiet --disable-pip-version-check "torch==$GSV_TORCH_VERSION"
}

install_tauri_driver() {
  if [ -x "$GSV_TOOLS/bin/tauri-driver" ]; then
    say "tauri-driver: present"
    return
  fi
  say "tauri-driver: installing $GSV_TAURI_DRIVER_VERSION into .tools"
  cargo install tauri-driver --version "$GSV_TAURI_DRIVER_VERSION" --locked --root "$GSV_TOOLS"
}

install_cargo_fuzz() {
  if [ -x "$GSV_TOOLS/bin/cargo-fuzz" ]; then
    say "cargo-fuzz: present"
    return
  fi
  say "cargo-fuzz: installing $GSV_CARGO_FUZZ_VERSION into .tools"
  cargo install cargo-fuzz --version "$GSV_CARGO_FUZZ_VERSION" --locked --root "$GSV_TOOLS"
}

# Every cargo and tauri run needs these, or torch-sys fails or rebuilds its C++ wrapper.
export_build_environment() {
  export LIBTORCH_USE_PYTORCH=1
  export PATH="$GSV_VENV/bin:$GSV_TOOLS/bin:$GSV_ROOT/node_modules/.bin:$PATH"
}

gsv_bootstrap() {
  install_debian_packages
  check_rust
  check_node
  install_node_packages
  install_libtorch
  export_build_environment
}
