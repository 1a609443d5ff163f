"""`make up` / `make down`: the whole local stack with the demo data.

up: MongoDB = MONGODB_URL if set, else an embedded SecantusDB under ./var; RabbitMQ =
AMQP_URL if reachable, else the local rabbitmq-server (installed when missing and allowed);
then the ingest worker, query service and gateway; then the demo data through the real
queue. Running it twice is harmless. down: stops what up started, by pid, nothing else.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import localstack
from localstack import StackError

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var"
RUN = VAR / "run"
LOGS = VAR / "log"
DEMO = ROOT / "deploy" / "demo-data"
DEMO_VCF = DEMO / "HG00096.dragen-3.5.7b.hg38.cnv.vcf.gz"
DEMO_DATASET = "1kgp-dragen"
SERVICES = ("ingest", "query", "gateway")


def _ports() -> dict[str, int]:
    return {
        "gateway": int(os.environ.get("GATEWAY_PORT", "8080")),
        "query": int(os.environ.get("QUERY_PORT", "8081")),
        "ingest": int(os.environ.get("INGEST_PORT", "8082")),
    }


def _pidfile(name: str) -> Path:
    return RUN / f"{name}.pid"


def _running(name: str) -> int | None:
    path = _pidfile(name)
    if not path.exists():
        return None
    pid = int(path.read_text().strip())
    return pid if localstack.pid_alive(pid) else None


def _admin_token() -> str:
    if token := os.environ.get("CNVB_ADMIN_TOKEN"):
        return token
    path = VAR / "admin-token"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


def _mongodb_url() -> str:
    if url := os.environ.get("MONGODB_URL"):
        localstack.wait_for_mongo(url, 20)
        return url
    port = int(os.environ.get("SECANTUS_PORT", "27027"))
    url = f"mongodb://127.0.0.1:{port}/?directConnection=true"
    if _running("secantus") is None:
        if localstack.port_open("127.0.0.1", port):
            raise StackError(f"port {port} is taken by another program; set SECANTUS_PORT")
        print(f"starting the embedded MongoDB-wire store (SecantusDB) on port {port} ...")
        process = localstack.start_secantus(port, VAR / "secantus", LOGS / "secantus.log")
        _pidfile("secantus").write_text(str(process.pid))
    return url


def _request(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> dict[str, object]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(request, timeout=60) as response:
        return dict(json.loads(response.read()))


def _exists(url: str) -> bool:
    try:
        _request("GET", url)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return False
        raise
    return True


def _load_demo(ingest_url: str, token: str) -> None:
    """The 1kGP sample table and HG00096 through the real queue, once: the demo is one batch
    named by the file's digest, so a restart finds it and loads nothing."""
    auth = {"Authorization": f"Bearer {token}"}
    content = DEMO_VCF.read_bytes()
    sha256 = hashlib.sha256(content).hexdigest()
    key = f"demo-{DEMO_DATASET}-{sha256[:16]}"
    if _exists(f"{ingest_url}/batches/batch-{key}"):
        print("the demo data are loaded already")
        return
    print("loading the 1kGP sample table ...")
    loaded = _request(
        "POST", f"{ingest_url}/individuals?dataset={DEMO_DATASET}&preset=1kgp-30x", b"", auth
    )
    print(f"  {loaded['individuals']} individuals")
    print(f"submitting {DEMO_VCF.name} through the ingest queue ...")
    _request("PUT", f"{ingest_url}/uploads/{sha256}?filename={DEMO_VCF.name}", content, auth)
    batch = {
        "manifest": f"sample\tfile\nHG00096\t{DEMO_VCF.name}\n",
        "uploads": {DEMO_VCF.name: sha256},
        "key": key,
    }
    answer = _request(
        "POST",
        f"{ingest_url}/batches?dataset={DEMO_DATASET}",
        json.dumps(batch).encode(),
        {**auth, "Content-Type": "application/json"},
    )
    deadline = time.monotonic() + 300
    while True:
        status = _request("GET", f"{ingest_url}/batches/{answer['batch_id']}")
        if status["finished"]:
            by_state = status["jobs_by_state"]
            assert isinstance(by_state, dict)
            if by_state["failed"]:
                raise StackError(f"the demo job failed: {status['jobs']}")
            print(f"  ingested: {status['calls_stored']} calls")
            return
        if time.monotonic() > deadline:
            raise StackError("the demo job did not finish within 5 minutes; see var/log")
        time.sleep(0.5)


def up() -> None:
    started = time.monotonic()
    for folder in (RUN, LOGS):
        folder.mkdir(parents=True, exist_ok=True)
    mongodb_url = _mongodb_url()
    amqp_url = os.environ.get("AMQP_URL", localstack.DEFAULT_AMQP_URL)
    localstack.ensure_rabbitmq(amqp_url, RUN / "rabbitmq.started")
    ports = _ports()
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    token = _admin_token()
    common = {
        "CNVB_MONGODB_URL": mongodb_url,
        "CNVB_AMQP_URL": amqp_url,
        "CNVB_ADMIN_TOKEN": token,
        "CNVB_INBOX_DIR": str(VAR / "inbox"),
        "CNVB_READ_MODEL_DIRECTORY": str(VAR / "read-model"),
        "CNVB_QUERY_URL": urls["query"],
        "CNVB_INGEST_URL": urls["ingest"],
        "CNVB_PUBLIC_URL": os.environ.get("CNVB_PUBLIC_URL", urls["gateway"]),
    }
    (VAR / "inbox").mkdir(exist_ok=True)
    for name in SERVICES:
        log_path = LOGS / f"{name}.log"
        if _running(name) is None:
            process = localstack.start_service(
                name, {**common, "CNVB_PORT": str(ports[name])}, log_path
            )
            _pidfile(name).write_text(str(process.pid))
            localstack.wait_ready(name, urls[name], 90, process, log_path)
        print(f"{name:8s} {urls[name]}  (log: {log_path.relative_to(ROOT)})")
    _load_demo(urls["ingest"], token)
    gateway = urls["gateway"]
    example = "referenceName=chr1&start=16000000&end=17000000&requestedGranularity=record"
    print(f"""
cnvbeacon is up in {time.monotonic() - started:.0f} s.
  Beacon API:   {gateway}/api/info
  Range query:  {gateway}/api/g_variants?{example}
  Web UI:       {gateway}/
  Admin token:  var/admin-token
Stop everything with `make down`.""")


def down() -> None:
    for name in (*SERVICES, "secantus"):
        pid = _running(name)
        if pid is not None:
            localstack.stop_pid(pid)
            print(f"stopped {name} (pid {pid})")
        _pidfile(name).unlink(missing_ok=True)
    marker = RUN / "rabbitmq.started"
    if marker.exists():
        import subprocess

        subprocess.run(["rabbitmqctl", "shutdown"], check=False)
        marker.unlink()
        print("stopped the rabbitmq-server that make up started")


def main() -> int:
    parser = argparse.ArgumentParser(prog="stack")
    parser.add_argument("command", choices=("up", "down", "ensure-rabbitmq", "ensure-chromium"))
    args = parser.parse_args()
    try:
        if args.command == "up":
            up()
        elif args.command == "down":
            down()
        elif args.command == "ensure-chromium":
            localstack.ensure_chromium()
        else:
            localstack.ensure_rabbitmq(os.environ.get("AMQP_URL", localstack.DEFAULT_AMQP_URL))
    except StackError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
