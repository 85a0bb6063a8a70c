#!/usr/bin/env bash
# Install whatever is missing, then run every check CI runs: formatting, clippy on the
# server and the wasm side, all Rust tests on SQLite and PostgreSQL, schemathesis against the
# REST API's OpenAPI document, and the Playwright journeys in Chromium.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_wasm_target
ensure_cargo_leptos
ensure_wasm_bindgen
ensure_npm_packages
ensure_chromium
ensure_aiosmtpd
ensure_schemathesis
ensure_webhook_signers
ensure_postgres

# A fresh checkout in CI gains nothing from incremental compilation, which would only add
# gigabytes to target/.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi

say "cargo fmt --check"
cargo fmt --all --check

say "clippy (server side)"
cargo clippy -p app -p server --features app/ssr --all-targets -- -D warnings

say "clippy (wasm side)"
cargo clippy -p app --features app/hydrate --target wasm32-unknown-unknown -- -D warnings

say "Rust tests (SQLite and PostgreSQL)"
cargo test --workspace

say "building the app for the browser tests"
cargo leptos build

say "REST API property tests (schemathesis)"
"$ROOT/scripts/api-fuzz.sh"

say "Playwright journeys in Chromium"
npx playwright test -c end2end
