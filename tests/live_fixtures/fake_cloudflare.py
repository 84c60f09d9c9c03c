"""A fake of the two Cloudflare API calls the live check makes, served on 127.0.0.1.

It serves `GET /client/v4/zones?name=...` and `GET /client/v4/zones/<id>/dns_records` in the
API's JSON envelope, one page at a time as the SDK requests them, and rejects any request
without the expected bearer token with 401, as Cloudflare does.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

API_PREFIX = "/client/v4"
PER_PAGE = 100


@dataclass
class FakeCloudflare:
    """Zones by name and their records; `requests` logs each path with its query, in order."""

    token: str
    zones: dict[str, str] = field(default_factory=dict)
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def add_zone(self, name: str, zone_id: str, records: list[dict[str, Any]]) -> None:
        self.zones[name] = zone_id
        self.records[zone_id] = [
            {"id": f"{zone_id}-{index}", "ttl": 60, "proxied": False, "zone_id": zone_id, "zone_name": name, **record}
            for index, record in enumerate(records)
        ]

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{API_PREFIX}"

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.requests.append(self.path)
                status, body = fake.answer(self.path, self.headers.get("Authorization", ""))
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # Each test reads `requests` instead of the server's log.

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def answer(self, path: str, authorization: str) -> tuple[int, dict[str, Any]]:
        if authorization != f"Bearer {self.token}":
            return 401, _envelope(None, errors=[{"code": 10000, "message": "Authentication error"}])
        url = urlparse(path)
        query = parse_qs(url.query)
        page = int(query.get("page", ["1"])[0])
        parts = url.path.removeprefix(API_PREFIX).strip("/").split("/")
        if parts == ["zones"]:
            names = query.get("name") or list(self.zones)
            zones = [_zone(name, self.zones[name]) for name in names if name in self.zones]
            return 200, _page(zones, page)
        if len(parts) == 3 and parts[0] == "zones" and parts[2] == "dns_records" and parts[1] in self.records:
            return 200, _page(self.records[parts[1]], page)
        return 404, _envelope(None, errors=[{"code": 7003, "message": "Could not route to " + url.path}])


def _zone(name: str, zone_id: str) -> dict[str, Any]:
    return {
        "id": zone_id,
        "name": name,
        "type": "full",
        "status": "active",
        "account": {"id": "0123456789abcdef0123456789abcdef", "name": "Shop"},
        "name_servers": ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"],
    }


def _page(items: list[dict[str, Any]], page: int) -> dict[str, Any]:
    chunk = items[(page - 1) * PER_PAGE : page * PER_PAGE]
    info = {
        "page": page,
        "per_page": PER_PAGE,
        "count": len(chunk),
        "total_count": len(items),
        "total_pages": max(1, -(-len(items) // PER_PAGE)),
    }
    return _envelope(chunk, result_info=info)


def _envelope(result: Any, errors: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"success": not errors, "errors": errors or [], "messages": [], "result": result, **extra}
