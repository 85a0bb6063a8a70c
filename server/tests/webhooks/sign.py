#!/usr/bin/env python3
"""Sign a webhook body the way its sender does, with the vendors' own code.

    sign.py standard|stripe|intercom SECRET TIMESTAMP_S MSG_ID < body

prints a JSON object of the headers to send with the body. The tests use it so that
Amends' verification is checked against the senders' implementations, not against itself:

- standard: `standardwebhooks` (the Standard Webhooks reference library), `Webhook.sign`;
- stripe:   the `stripe` package's `WebhookSignature.generate_signature_header`, which Stripe
            provides for signing payloads in tests (MSG_ID is unused: the event id is in the body);
- intercom: HMAC-SHA1 of the raw body with the app's client secret, hex, as Intercom documents
            for `X-Hub-Signature` (no timestamp; TIMESTAMP_S and MSG_ID are unused).

scripts/lib.sh (`ensure_webhook_signers`) installs the pinned packages.
"""

import hashlib
import hmac
import json
import sys
from datetime import datetime, timezone


def main(argv):
    if len(argv) != 5 or argv[1] not in ("standard", "stripe", "intercom"):
        sys.stderr.write(__doc__)
        return 2
    kind, secret, timestamp_s, msg_id = argv[1], argv[2], int(argv[3]), argv[4]
    body = sys.stdin.buffer.read()

    if kind == "standard":
        from standardwebhooks.webhooks import Webhook

        at = datetime.fromtimestamp(timestamp_s, tz=timezone.utc)
        signature = Webhook(secret).sign(msg_id, at, body.decode("utf-8"))
        headers = {
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp_s),
            "webhook-signature": signature,
        }
    elif kind == "stripe":
        import stripe

        header = stripe.WebhookSignature.generate_signature_header(
            body.decode("utf-8"), secret, timestamp=timestamp_s
        )
        headers = {"Stripe-Signature": header}
    else:
        digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha1).hexdigest()
        headers = {"X-Hub-Signature": "sha1=" + digest}

    json.dump(headers, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
