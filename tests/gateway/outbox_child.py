"""Child process for the outbox kill -9 tests (run as a script).

  enqueue DB KEYFILE N           queue N submissions; print each idempotency key once durable
  deliver DB KEYFILE URL KIOSK   deliver everything; print each delivered reference
  die-after-send DB KEYFILE URL KIOSK
                                 send the oldest item, then SIGKILL itself before the outbox
                                 can record that the gateway accepted it
  submit DB KEYFILE URL KIOSK N [READ_TIMEOUT]
                                 submit N dossiers through the GatewayService facade (no retry,
                                 1 s timeouts by default); print "<key> <receipt reference or
                                 code>" once each answer (or provisional receipt) is in
"""

import os
import signal
import sys
import uuid

from kiosk.gateway.client import GatewayClient
from kiosk.gateway.demo.samples import sample_submission
from kiosk.gateway.outbox import Outbox, load_or_create_key


def submission(i: int) -> dict:
    return sample_submission(f"item {i}").to_json()


def main() -> None:
    mode, db, keyfile = sys.argv[1:4]
    outbox = Outbox(db, load_or_create_key(keyfile))
    if mode == "enqueue":
        for i in range(int(sys.argv[4])):
            key = str(uuid.uuid4())
            outbox.enqueue("submission", submission(i), idempotency_key=key)
            print(key, flush=True)
        return
    url, kiosk = sys.argv[4:6]
    if mode == "submit":
        from kiosk import config
        from kiosk.gateway.service import GatewayService

        read_timeout = float(sys.argv[7]) if len(sys.argv) > 7 else 1.0
        client = GatewayClient(url, kiosk_id=kiosk, retries=0, connect_timeout=1, read_timeout=read_timeout)
        svc = GatewayService(config.defaults(), outbox=outbox, client=client, background=False)
        for i in range(int(sys.argv[6])):
            key = str(uuid.uuid4())
            receipt = svc.submit(submission(i), key)
            print(key, getattr(receipt, "reference", None) or receipt.code, flush=True)
        return
    client = GatewayClient(url, kiosk_id=kiosk, retries=2, backoff=0.01)
    if mode == "deliver":
        print("start", flush=True)
        outbox.deliver(client, on_delivered=lambda item: print(item["reference"], flush=True))
        print("done", flush=True)
    elif mode == "die-after-send":
        real = client.submit_dossier

        def send_then_die(body, key):
            real(body, key)
            os.kill(os.getpid(), signal.SIGKILL)

        client.submit_dossier = send_then_die
        outbox.deliver(client, max_items=1)


if __name__ == "__main__":
    main()
