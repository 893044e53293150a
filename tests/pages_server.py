"""Serve a built site the way GitHub Pages does, for the browser tests and
`make audit`: under the site's path (/pool-events/), gzip-compressed,
with Pages' ten-minute Cache-Control, ETags, and the site's 404.html for
a missing page. `python -m http.server` does none of that, which costs a
Lighthouse performance score 5 to 30 points."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

COMPRESSED = ("text/", "application/javascript", "application/json")
COMPRESSED_EXTRA = ("image/svg+xml", "application/xml")


class PagesHandler(http.server.BaseHTTPRequestHandler):
    site: Path
    prefix: str  # "/pool-events/"
    _gzipped: dict = {}

    def log_message(self, format, *args):
        pass

    def do_HEAD(self):
        self._serve(body=False)

    def do_GET(self):
        self._serve(body=True)

    def _serve(self, body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == "/" and self.prefix != "/":
            return self._redirect(self.prefix)
        target = None
        if path.startswith(self.prefix):
            target = self.site / path.removeprefix(self.prefix)
            if target.is_dir():
                if not path.endswith("/"):
                    return self._redirect(path + "/")
                target = target / "index.html"
            if not target.resolve().is_relative_to(self.site.resolve()):
                target = None
        status = 200
        if target is None or not target.is_file():
            status, target = 404, self.site / "404.html"
        data = target.read_bytes()
        kind = (
            mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        )
        etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        if status == 200 and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        gzipped = "gzip" in self.headers.get("Accept-Encoding", "") and (
            kind.startswith(COMPRESSED) or kind in COMPRESSED_EXTRA
        )
        if gzipped:
            if etag not in self._gzipped:
                self._gzipped[etag] = gzip.compress(data, 6)
            data = self._gzipped[etag]
        self.send_response(status)
        self.send_header(
            "Content-Type",
            kind + ("; charset=utf-8" if kind.startswith("text/") else ""),
        )
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "max-age=600")
        self.send_header("ETag", etag)
        self.send_header("Vary", "Accept-Encoding")
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


class PagesServer:
    """`with PagesServer(site, "/pool-events/") as url:` serves the site on
    a free localhost port; url is the site's root address."""

    def __init__(self, site: Path, prefix: str = "/"):
        handler = type(
            "Handler",
            (PagesHandler,),
            {"site": Path(site), "prefix": prefix, "_gzipped": {}},
        )
        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), handler
        )
        self.prefix = prefix
        self.thread = threading.Thread(
            target=self.server.serve_forever, daemon=True
        )

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}{self.prefix}"

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
