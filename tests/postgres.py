"""pytest plugin: a throwaway PostgreSQL server (Debian's ``postgresql`` package) on loopback.

``postgres_url`` (session scope) runs ``initdb`` in a fresh temporary directory, starts the server with ``pg_ctl``
on a free 127.0.0.1 port with password authentication, creates a database and yields its
``postgresql+psycopg://`` URL; the server is stopped and its directory removed at the end of the session. Every
pytest-xdist worker that needs one starts its own (own directory, own port). PostgreSQL refuses to run as root,
so as root the cluster belongs to the ``postgres`` user and the tools run through ``runuser``. Without PostgreSQL
installed the tests are skipped on a developer machine and fail in CI (`make test` installs it with
scripts/system-deps.sh).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

USER, DATABASE = "kit", "gradebook_test"


def postgres_bin() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding initdb and pg_ctl, or None."""
    found = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")
             if Path(p).with_name("pg_ctl").exists()]
    return max(found, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, default=None)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """One initdb'ed data directory and the server running on it."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="kit-pg-"))  # in /tmp: the postgres user can reach it
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.password = secrets.token_urlsafe(16)
        self.as_root = os.geteuid() == 0
        self.port = 0
        (self.root / "pwfile").write_text(self.password + "\n")
        if self.as_root:
            owner = pwd.getpwnam("postgres")
            for path in (self.root, self.root / "pwfile"):
                os.chown(path, owner.pw_uid, owner.pw_gid)

    def run(self, tool: str, *args: str) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        return subprocess.run([*prefix, str(self.bindir / tool), *args], capture_output=True, text=True,
                              timeout=120, cwd=self.root)

    def initdb(self) -> None:
        done = self.run("initdb", "-D", str(self.data), "-U", USER, "--auth=scram-sha-256",
                        f"--pwfile={self.root / 'pwfile'}", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stderr or done.stdout}")

    def start(self, attempts: int = 5) -> None:
        """Start on a free port (another worker may grab the same one between our probe and the bind: retry)."""
        for _ in range(attempts):
            self.port = free_port()
            options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50")
            done = self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60",
                            "start")
            if done.returncode == 0:
                return
        log = self.log.read_text(errors="replace") if self.log.exists() else ""
        raise RuntimeError(f"pg_ctl start failed: {done.stderr or done.stdout}\n{log[-2000:]}")

    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=USER, password=self.password,
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{USER}:{self.password}@127.0.0.1:{self.port}/{DATABASE}"

    def stop(self) -> None:
        if self.data.exists():
            self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url():
    """The URL of a fresh database on a private PostgreSQL server, for this session (this xdist worker)."""
    bindir = postgres_bin()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is missing: `make test` installs it with scripts/system-deps.sh")
        pytest.skip("PostgreSQL is not installed (sudo apt-get install postgresql)")
    pytest.importorskip("psycopg")
    cluster = Cluster(bindir)
    try:
        cluster.initdb()
        cluster.start()
        cluster.create_database()
        yield cluster.url
    finally:
        with contextlib.suppress(Exception):
            cluster.stop()


@pytest.fixture
def postgres_db_url(postgres_url):
    """A fresh, empty database on the session's server for one test, dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(postgres_url)
    name = f"t_{secrets.token_hex(6)}"
    admin = {"host": server.host, "port": server.port, "user": server.username, "password": server.password,
             "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**admin) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield server.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(**admin) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
