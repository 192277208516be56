#!/usr/bin/env bash
# Installs whatever is missing, then runs every check: formatting, linters, type check, the Rust
# and frontend tests, and the end-to-end tests on the real app window under Xvfb.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
gsv_bootstrap
install_tauri_driver
install_cargo_fuzz

cd "$GSV_ROOT"
# Mesa writes its shader cache under XDG_CACHE_HOME; keep it inside the build folder.
export XDG_CACHE_HOME="$GSV_ROOT/target/xdg-cache"
export RUST_BACKTRACE=1

failed=()
step() {
  local name="$1"
  shift
  say "$name"
  local started=$SECONDS
  if "$@"; then
    say "$name: ok ($((SECONDS - started)) s)"
  else
    say "$name: FAILED ($((SECONDS - started)) s)"
    failed+=("$name")
  fi
}

step "rustfmt" cargo fmt --all --check
step "clippy" cargo clippy --workspace --all-targets --locked -- -D warnings
step "frontend lint" npm run --silent lint
step "frontend type check" npm run --silent typecheck
step "frontend tests" npm run --silent test:ui
step "rust tests" cargo test --workspace --locked
step "app build" npm run --silent tauri -- build --debug --no-bundle
# cargo-fuzz needs rustc flags that are nightly-only; RUSTC_BOOTSTRAP allows them on stable.
fuzz_unpickler() {
  (cd crates/weights && RUSTC_BOOTSTRAP=1 cargo fuzz run unpickle "$(mktemp -d)" \
    fuzz/seeds/unpickle -- -max_total_time="${GSV_FUZZ_SECONDS:-30}")
}
step "fuzz the unpickler" fuzz_unpickler
step "end-to-end tests" xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" npm run --silent test:e2e

if [ "${#failed[@]}" -gt 0 ]; then
  say "failed: ${failed[*]}"
  exit 1
fi
say "every check passed"
