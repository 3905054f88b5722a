"""Driver of scripts/browser-check: starts `claimtrack serve` on a temporary database, writes a claim with
evidence and a review through the API, loads its page in headless Chromium (--dump-dom, --screenshot) and
checks the JSON-LD and the evidence table. Usage: browser_check.py CLAIMTRACK_BIN OUT_DIR"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import urllib.request
from html.parser import HTMLParser

BIN, OUT = sys.argv[1], sys.argv[2]
HOSTILE = 'Troops </script><script>alert("x")</script> & <!-- arrived in Kursk'


def fail(msg):
    print(f"browser-check: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ld, self.in_ld, self.tables, self.scripts = [], False, {}, 0
        self.table, self.rows = None, 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
            if a.get("type") == "application/ld+json":
                self.in_ld = True
                self.ld.append("")
        if tag == "table":
            self.table = a.get("id")
            self.tables[self.table] = []
        if tag == "th" and self.table and a.get("scope") == "rowgroup":
            self.tables[self.table].append(int(a.get("rowspan", "1")))

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_ld = False
        if tag == "table":
            self.table = None

    def handle_data(self, data):
        if self.in_ld:
            self.ld[-1] += data


def main():
    work = tempfile.mkdtemp(prefix="claimtrack-browser-")
    db = os.path.join(work, "desk.db")
    run = lambda *a: subprocess.run([BIN, "--db", db, *a], check=True, capture_output=True, text=True).stdout.strip()
    run("init")
    token = run("token", "add", "browser-check", "--role", "write")
    server = subprocess.Popen([BIN, "--db", db, "serve", "--listen", "127.0.0.1:0", "--public-read"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = server.stdout.readline().strip().removeprefix("claimtrack: listening on ")

        def post(path, body):
            req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            with urllib.request.urlopen(req) as r:
                return json.load(r)["id"]

        russia = post("/v1/sources", {"name": "Russian state", "kind": "government_body", "country": "RU"})
        tass = post("/v1/sources", {"name": "Tass", "kind": "news_agency", "controlled_by": russia})
        lavrov = post("/v1/sources", {"name": "Sergei Lavrov", "kind": "person", "part_of": russia})
        yonhap = post("/v1/sources", {"name": "Yonhap", "kind": "news_agency", "country": "KR"})
        claim = post("/v1/claims", {"text": HOSTILE, "language": "en"})
        post(f"/v1/claims/{claim}/attributions", {"speaker": lavrov, "relays": [{"source": tass}], "quote": "they arrived"})
        post(f"/v1/claims/{claim}/evidence", {"source": tass, "stance": "supports", "excerpt": "troops arrived"})
        post(f"/v1/claims/{claim}/evidence", {"source": lavrov, "stance": "supports"})
        post(f"/v1/claims/{claim}/evidence", {"source": yonhap, "stance": "refutes", "excerpt": "no </td> sign"})
        post(f"/v1/claims/{claim}/reviews", {"verdict": "mixed", "reviewer": yonhap, "rationale": "</script> both sides",
                                              "url": "https://desk.example/kursk"})
        url = f"{base}/claims/{claim}"
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", f"--user-data-dir={tempfile.mkdtemp()}"]
        dom = subprocess.run(["chromium", *flags, "--dump-dom", url], check=True, capture_output=True,
                             text=True, timeout=120).stdout
        with open(os.path.join(OUT, "claim.html"), "w") as f:
            f.write(dom)
        shot = os.path.abspath(os.path.join(OUT, "claim.png"))
        subprocess.run(["chromium", *flags, f"--user-data-dir={tempfile.mkdtemp()}", "--window-size=1200,1600",
                        f"--screenshot={shot}", url], check=True, capture_output=True, timeout=120)
        if not os.path.getsize(shot):
            fail("empty screenshot")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)

    page = Page()
    page.feed(dom)
    if page.scripts != 1:
        fail(f"{page.scripts} script elements in the DOM (hostile text became markup?)")
    if len(page.ld) != 1:
        fail("no ClaimReview JSON-LD")
    ld = json.loads(page.ld[0])
    if ld.get("@type") != "ClaimReview" or ld.get("claimReviewed") != HOSTILE:
        fail(f"unexpected JSON-LD: {ld}")
    groups = page.tables.get("evidence-table")
    if groups is None:
        fail("no evidence table")
    if sorted(groups) != [1, 2]:
        fail(f"evidence not grouped by origin (Tass and Lavrov under the Russian state): {groups}")
    print(f"browser-check: ok: JSON-LD parses, evidence table grouped by origin {groups}; "
          f"DOM and screenshot in {OUT}")


main()
