"""Local processes for development, `make up` and the test suite: the SecantusDB store,
the machine's RabbitMQ, and the three services. Standard library only (plus the venv's
pymongo for the store check), so it runs before anything else is set up.

SecantusDB (GPL-2.0) is only ever run here as a separate local process; production uses
a real MongoDB.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"


class StackError(RuntimeError):
    """A problem the person running the stack has to fix; the message says how."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


def secantus_command(port: int, storage: Path) -> list[str]:
    binary = Path(sys.executable).with_name("secantusd-py")
    if not binary.exists():
        found = shutil.which("secantusd-py")
        if found is None:
            raise StackError("secantusd-py is not installed: run `make install` first")
        binary = Path(found)
    return [
        str(binary),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--storage-path",
        str(storage),
        "--log-level",
        "WARNING",
    ]


def start_secantus(port: int, storage: Path, log_path: Path) -> subprocess.Popen[bytes]:
    """Start SecantusDB (replica-set mode, the default) and wait until it answers."""
    storage.mkdir(parents=True, exist_ok=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            secantus_command(port, storage),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    wait_for_mongo(f"mongodb://127.0.0.1:{port}/?directConnection=true", 60, process)
    return process


def wait_for_mongo(
    url: str, timeout: float, process: subprocess.Popen[bytes] | None = None
) -> None:
    from pymongo import MongoClient

    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise StackError(f"the MongoDB-wire store exited with code {process.returncode}")
        client: MongoClient[dict[str, object]] = MongoClient(url, serverSelectionTimeoutMS=500)
        try:
            client.admin.command("ping")
            return
        except Exception as error:
            if time.monotonic() > deadline:
                raise StackError(f"no MongoDB answers at {url}: {error}") from error
            time.sleep(0.3)
        finally:
            client.close()


def amqp_reachable(url: str) -> bool:
    parts = urlsplit(url)
    return port_open(parts.hostname or "127.0.0.1", parts.port or 5672)


def _may_install() -> bool:
    return os.geteuid() == 0 or shutil.which("sudo") is not None


def _as_root(command: list[str]) -> list[str]:
    return command if os.geteuid() == 0 else ["sudo", "-n", *command]


def ensure_rabbitmq(url: str, marker: Path | None = None) -> None:
    """Use the broker at `url`; else start (installing first if needed) the local one."""
    if amqp_reachable(url):
        return
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost", None):
        raise StackError(f"RabbitMQ at {url} is not reachable; start it or set AMQP_URL")
    if shutil.which("rabbitmq-server") is None:
        if not _may_install():
            raise StackError(
                "RabbitMQ is not running and not installed. Install it "
                "(`sudo apt-get install rabbitmq-server`) or set AMQP_URL to a broker."
            )
        print("installing rabbitmq-server from Debian's packages ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(_as_root(["apt-get", "update", "-qq"]), check=True, env=env)
        subprocess.run(
            _as_root(["apt-get", "install", "-y", "-qq", "rabbitmq-server"]), check=True, env=env
        )
    if not amqp_reachable(url):
        print("starting the local rabbitmq-server ...", flush=True)
        subprocess.run(_as_root(["rabbitmq-server", "-detached"]), check=True)
        if marker is not None:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text("started by make up\n")
    deadline = time.monotonic() + 90
    while not amqp_reachable(url):
        if time.monotonic() > deadline:
            raise StackError("rabbitmq-server did not start within 90 s; see its logs")
        time.sleep(1)
    # The port opens slightly before the broker accepts connections.
    time.sleep(2)


CHROMIUM = Path("/usr/bin/chromium")


def ensure_chromium() -> None:
    """Debian's chromium for the browser tests (installed when missing and allowed; the
    tests say what to do when it is not there)."""
    if CHROMIUM.exists():
        return
    if shutil.which("apt-get") is None or not _may_install():
        print(
            f"note: {CHROMIUM} is missing and cannot be installed here; the browser tests "
            "need it (`sudo apt-get install chromium`)",
            flush=True,
        )
        return
    print("installing chromium from Debian's packages (browser tests) ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(_as_root(["apt-get", "update", "-qq"]), check=True, env=env)
    subprocess.run(_as_root(["apt-get", "install", "-y", "-qq", "chromium"]), check=True, env=env)


def service_command(module: str) -> list[str]:
    """Exactly the command the container images run."""
    return [sys.executable, "-m", f"cnvbeacon.{module}"]


def start_service(module: str, env: Mapping[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        return subprocess.Popen(
            service_command(module),
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def http_status(url: str, timeout: float = 2.0) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, OSError):
        return None


def wait_ready(
    name: str, url: str, timeout: float, process: subprocess.Popen[bytes], log_path: Path
) -> None:
    deadline = time.monotonic() + timeout
    while http_status(f"{url}/readyz") != 200:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
            raise StackError(f"{name} exited with code {process.returncode}:\n{tail}")
        if time.monotonic() > deadline:
            raise StackError(f"{name} was not ready within {timeout:.0f} s; see {log_path}")
        time.sleep(0.3)


def stop_pid(pid: int, timeout: float = 30.0) -> bool:
    """SIGTERM, then SIGKILL after the timeout. False if the process was already gone."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    return True


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie of ours still answers kill(0); treat it as gone.
    with contextlib.suppress(OSError):
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
        return state != "Z"
    return True
