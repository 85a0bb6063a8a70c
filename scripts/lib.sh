# Shared set-up steps for scripts/run.sh and scripts/test.sh. Every step checks first and
# skips when its tool is already there, so running it again costs seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CARGO_LEPTOS_VERSION="0.3.10"
WASM_BINDGEN_VERSION="0.2.130"   # must equal wasm-bindgen in Cargo.lock

say() { printf '\033[1;32m==>\033[0m %s\n' "$*"; }

export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"

ensure_wasm_target() {
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "wasm32 target: present"
  else
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_cargo_leptos() {
  if cargo leptos --version 2>/dev/null | grep -q " ${CARGO_LEPTOS_VERSION}\$"; then
    say "cargo-leptos ${CARGO_LEPTOS_VERSION}: present"
  else
    say "installing cargo-leptos ${CARGO_LEPTOS_VERSION} (takes 10-15 minutes once)"
    cargo install cargo-leptos --version "${CARGO_LEPTOS_VERSION}" --locked
  fi
}

ensure_wasm_bindgen() {
  if wasm-bindgen --version 2>/dev/null | grep -q " ${WASM_BINDGEN_VERSION}\$"; then
    say "wasm-bindgen-cli ${WASM_BINDGEN_VERSION}: present"
  else
    say "installing wasm-bindgen-cli ${WASM_BINDGEN_VERSION}"
    cargo install wasm-bindgen-cli --version "${WASM_BINDGEN_VERSION}"
  fi
}

ensure_npm_packages() {
  local stamp="node_modules/.amends-lock"
  local want
  want="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    say "npm packages (Playwright, binaryen): present"
  else
    say "installing npm packages (Playwright, binaryen)"
    npm ci --no-audit --no-fund
    echo "$want" > "$stamp"
  fi
}

ensure_chromium() {
  if command -v chromium >/dev/null 2>&1; then
    say "Chromium: present"
  else
    say "installing Chromium from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  fi
}

# A local SMTP sink for the e-mail test (the weekly report sent by `amends report --email`).
ensure_aiosmtpd() {
  if python3 -c "import aiosmtpd" 2>/dev/null; then
    say "aiosmtpd (SMTP sink for the tests): present"
  else
    say "installing aiosmtpd (SMTP sink for the tests)"
    python3 -m pip install --quiet --disable-pip-version-check aiosmtpd==1.4.6
  fi
}

# Property-based tests of the REST API against its OpenAPI document.
SCHEMATHESIS_VERSION="4.32.5"
ensure_schemathesis() {
  if schemathesis --version 2>/dev/null | grep -q " ${SCHEMATHESIS_VERSION}\$"; then
    say "schemathesis ${SCHEMATHESIS_VERSION}: present"
  else
    say "installing schemathesis ${SCHEMATHESIS_VERSION}"
    python3 -m pip install --quiet --disable-pip-version-check "schemathesis==${SCHEMATHESIS_VERSION}"
  fi
}

# The senders' own signing code, so the webhook tests check Amends' verification against
# Standard Webhooks' reference library and Stripe's, not against itself
# (server/tests/webhooks/sign.py).
STANDARDWEBHOOKS_VERSION="1.1.0"
STRIPE_PY_VERSION="16.1.0"
ensure_webhook_signers() {
  if python3 -c 'import sys; from importlib.metadata import version as v; sys.exit((v("standardwebhooks"), v("stripe")) != (sys.argv[1], sys.argv[2]))' \
      "$STANDARDWEBHOOKS_VERSION" "$STRIPE_PY_VERSION" 2>/dev/null; then
    say "standardwebhooks ${STANDARDWEBHOOKS_VERSION} and stripe ${STRIPE_PY_VERSION} (webhook signers): present"
  else
    say "installing standardwebhooks ${STANDARDWEBHOOKS_VERSION} and stripe ${STRIPE_PY_VERSION} (webhook signers)"
    python3 -m pip install --quiet --disable-pip-version-check \
      "standardwebhooks==${STANDARDWEBHOOKS_VERSION}" "stripe==${STRIPE_PY_VERSION}"
  fi
}

ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    say "PostgreSQL on 127.0.0.1:5432: running"
  elif command -v pg_ctlcluster >/dev/null 2>&1; then
    say "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && return 0; sleep 1; done
    echo "PostgreSQL did not start on 127.0.0.1:5432" >&2; return 1
  else
    echo "PostgreSQL is needed on 127.0.0.1:5432 for the tests (set AMENDS_TEST_PG_URL to use another)" >&2
    return 1
  fi
}
