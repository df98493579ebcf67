#!/usr/bin/env python3
"""Check slotbase's Standard Webhooks signatures with the reference Python library.

    verify_standard.py version
    verify_standard.py verify SECRET MSG_ID TIMESTAMP SIGNATURE BODY_FILE
    verify_standard.py sign SECRET MSG_ID TIMESTAMP BODY_FILE

`verify` passes the headers slotbase produced to `Webhook(secret).verify`, which checks the
timestamp against the real clock (five minutes either way). `sign` prints the
`webhook-signature` value the library computes. The body file is read as bytes.

Exit codes: 0 ok, 1 the library rejected the signature, 3 the library is missing.
"""

import sys
from datetime import datetime, timezone

PINNED = "1.1.0"

try:
    from importlib.metadata import version
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError
except ImportError:
    print(
        f"the Python package standardwebhooks is missing: pip install standardwebhooks=={PINNED}",
        file=sys.stderr,
    )
    sys.exit(3)


def main(argv):
    command = argv[1] if len(argv) > 1 else ""
    if command == "version":
        print(version("standardwebhooks"))
        return 0
    if command == "verify" and len(argv) == 7:
        secret, msg_id, timestamp, signature, body_file = argv[2:]
        with open(body_file, "rb") as f:
            body = f.read()
        headers = {
            "webhook-id": msg_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": signature,
        }
        try:
            Webhook(secret).verify(body, headers, json_parse=False)
        except WebhookVerificationError as e:
            print(f"rejected: {e}", file=sys.stderr)
            return 1
        print("verified")
        return 0
    if command == "sign" and len(argv) == 6:
        secret, msg_id, timestamp, body_file = argv[2:]
        with open(body_file, "rb") as f:
            body = f.read().decode("utf-8")
        at = datetime.fromtimestamp(int(timestamp), tz=timezone.utc)
        print(Webhook(secret).sign(msg_id, at, body))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
