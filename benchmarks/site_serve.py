"""Theme-site server: requests/s and p99 latency for `/` and `/go/CODE` on loopback.

Targets: at least 1,000 requests/s with p99 under 50 ms on this machine. The server is
`opendeur serve`'s app under uvicorn in its own process (one worker); the load comes from
keep-alive connections in threads of this process, for a bounded time per path. Both share
the machine's two cores, so the figures are a floor, not a ceiling.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SECONDS = 5.0
CONNECTIONS = 8
CODE = "Bench01"

SERVER = """
import sys
from pathlib import Path
import uvicorn
from themesites.server import SiteRoot, create_app
db, folder, port = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
app = create_app(db_path=db, sites={"bench": SiteRoot("bench", "bench.example.com", folder)},
                 secret=b"s" * 32, contact={"organisation": "Woonstichting Test", "team": "t",
                 "person": "", "role": "", "hours": "h", "phone": "010", "callback_days": "1"})
uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")
"""


def prepare(tmp: Path) -> tuple[Path, Path]:
    from opendeur.store import open_db
    from themesites.builder import Organisation, build_site
    from themesites.settings import ContactSettings, SiteSettings

    db_path = tmp / "bench.db"
    db = open_db(db_path)
    db.execute(
        "INSERT INTO campaigns (id, name, slug, theme, help_page, starts, ends, channels, message, "
        "created_by, created_at, edited_by, edited_at, updated_at) VALUES (1, 'c', 'c', 'lenen', "
        "'https://v.nl', '2026-11-01', '2026-12-31', ?, 'm', 'a', 't', 'a', 't', 't')",
        ['["x"]'],
    )
    db.execute(
        "INSERT INTO content_items (campaign_id, position, channel, body, link, tracking_code, "
        "status, updated_at) VALUES (1, 1, 'x', 'b', 'https://v.nl/hulp', ?, 'published', 't')",
        [CODE],
    )
    db.close()
    contact = ContactSettings(phone="010 123 45 67", team="het team", hours="ma-vr")
    site = SiteSettings(domain="bench.example.com", theme="lenen", title="Geld voor elkaar")
    folder = build_site("bench", site, contact, Organisation("W"), tmp / "out").folder
    return db_path, folder


def load(port: int, path: str) -> tuple[int, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + SECONDS

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        while time.perf_counter() < stop:
            started = time.perf_counter()
            connection.request("GET", path, headers={"Host": "bench.example.com"})
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), latencies


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db_path, folder = prepare(Path(tmp))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {**os.environ, "NO_PROXY": "127.0.0.1"}
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(db_path), str(folder), str(port)], env=env
        )
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            for path in ("/", f"/go/{CODE}"):
                count, latencies = load(port, path)
                latencies.sort()
                p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
                print(
                    f"serve {path}: {count / SECONDS:,.0f} requests/s, median "
                    f"{statistics.median(latencies) * 1000:.1f} ms, p99 {p99:.1f} ms "
                    f"({CONNECTIONS} connections, {SECONDS:.0f} s; target 1,000/s, p99 < 50 ms)"
                )
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    run()
