//! Signed test deliveries. The signatures come from the senders' own code (the
//! `standardwebhooks` and `stripe` Python packages, and Python's `hmac` for Intercom) through
//! `tests/webhooks/sign.py`, so the server's verification is checked against them rather than
//! against itself. `scripts/test.sh` installs the packages (`ensure_webhook_signers`).

use std::io::Write;
use std::process::{Command, Stdio};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/webhooks/sign.py");
const INSTALL: &str = "python3 -m pip install standardwebhooks==1.1.0 stripe==16.1.0 \
                       (or run scripts/test.sh, whose ensure_webhook_signers does it)";

/// The headers a sender of `kind` (`standard`, `stripe` or `intercom`) sends with `body`,
/// signed with `secret` at `timestamp_s`. `msg_id` is the Standard Webhooks `webhook-id`;
/// Stripe and Intercom take their ids from the body.
pub fn sign(
    kind: &str,
    secret: &str,
    timestamp_s: i64,
    msg_id: &str,
    body: &[u8],
) -> Vec<(String, String)> {
    let mut child = Command::new("python3")
        .arg(SCRIPT)
        .args([kind, secret, &timestamp_s.to_string(), msg_id])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("signing a test webhook needs python3 on the PATH ({e}); then {INSTALL}")
        });
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(body)
        .expect("writing the body to sign.py");
    let out = child.wait_with_output().expect("waiting for sign.py");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        if stderr.contains("ModuleNotFoundError") || stderr.contains("No module named") {
            panic!("the webhook signing packages are missing: {INSTALL}\n{stderr}");
        }
        panic!("{SCRIPT} {kind} failed ({}):\n{stderr}", out.status);
    }
    let headers: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| {
            panic!(
                "{SCRIPT} printed no JSON object ({e}):\n{}",
                String::from_utf8_lossy(&out.stdout)
            )
        });
    headers
        .into_iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => (k, s),
            other => panic!("{SCRIPT}: header {k} is not a string: {other}"),
        })
        .collect()
}
