#!/usr/bin/env bash
# Install whatever is missing, build Amends (release), load the demo data set into a fresh
# SQLite database in ./data (only when it is empty) and serve http://127.0.0.1:3000.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_wasm_target
ensure_cargo_leptos
ensure_wasm_bindgen
ensure_npm_packages

say "building Amends (release)"
# --precompress writes .gz and .br beside the wasm, JS and CSS; the server sends those to
# browsers that accept them instead of compressing on every request.
cargo leptos build --release --precompress

export LEPTOS_SITE_ROOT="$ROOT/target/site"
export AMENDS_DATA_DIR="${AMENDS_DATA_DIR:-$ROOT/data}"
if out="$(./target/release/amends demo 2>&1)"; then
  echo "$out"
  say "demo data loaded into $AMENDS_DATA_DIR"
else
  case "$out" in
    *"already holds"*) say "the database in $AMENDS_DATA_DIR already holds data; keeping it" ;;
    *) echo "$out" >&2; exit 1 ;;
  esac
fi
say "starting Amends on http://127.0.0.1:3000, or the --bind address given (Ctrl-C stops it)"
exec ./target/release/amends serve "$@"
