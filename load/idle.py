"""The ingestion baseline for `make load`: batches of 100 orders on the idle server, one at a
time, before the load starts. Writes {"p50_ms": …} to the file named on the command line."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import urllib.request
import uuid

BATCHES = 20
BATCH = int(os.environ.get("LOAD_BATCH", "100"))


def post_batch(host: str, token: str, prefix: str, number: int) -> float:
    orders = [
        {
            "external_id": f"IDLE-{prefix}-{number}-{n}",
            "customer_id": f"LOAD-C-{(number * BATCH + n) % 5000}",
            "placed_at": "2026-10-31T15:00:00+00:00",
            "subtotal": 2_500 + n,
            "channel": "web",
        }
        for n in range(BATCH)
    ]
    request = urllib.request.Request(
        f"{host}/api/v1/orders",
        data=json.dumps({"orders": orders}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        if response.status != 201:
            raise RuntimeError(f"idle batch answered {response.status}")
    return (time.perf_counter() - started) * 1000


def main(host: str, out: str) -> None:
    token, prefix = os.environ["LOAD_WRITE_TOKEN"], uuid.uuid4().hex[:8]
    post_batch(host, token, prefix, -1)  # warm the worker
    timings = [post_batch(host, token, prefix, number) for number in range(BATCHES)]
    with open(out, "w") as file:
        json.dump({"p50_ms": statistics.median(timings), "batches": BATCHES}, file)
    print(f"idle server: a batch of {BATCH} orders takes {statistics.median(timings):.0f} ms (p50)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
