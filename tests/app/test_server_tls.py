"""A clinic server over TLS (issue #13): `sslmode=verify-full&sslrootcert=CA` in the URL. The
test makes its own CA and a server certificate for 127.0.0.1 and localhost, starts its OWN
PostgreSQL server with ssl=on on a port of its own (never the shared test server), and checks
that `server-init` and a room connect with the clinic's CA, and are refused, saying why, with
another CA or a host name the certificate does not name."""

from __future__ import annotations

import datetime as dt
import glob
import ipaddress
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app.server.init import FirstAdmin, server_init
from app.services.store import open_database
from app.store.database import open_store
from app.store.errors import DatabaseUnavailableError, ServerCertificateError, translate

REPO = Path(__file__).resolve().parents[2]
PORT = int(os.environ.get("FACECHART_TLS_TEST_PORT", "54410"))
BINDIR = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


@dataclass(frozen=True)
class TlsServer:
    port: int
    ca: Path  # the clinic's CA: it signed the server's certificate
    other_ca: Path  # a CA that did not

    def url(self, host: str = "localhost", ca: Path | None = None, **extra: str) -> str:
        query = {"sslmode": "verify-full", "sslrootcert": str(ca or self.ca), **extra}
        args = "&".join(f"{k}={v}" for k, v in query.items())
        return f"postgresql+psycopg://postgres@{host}:{self.port}/facechart?{args}"


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _ca(cn: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = _key()
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _server_cert(
    ca_key: ec.EllipticCurvePrivateKey, ca: x509.Certificate
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = _key()
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _as_postgres(*cmd: str) -> None:
    """Run a server command as the postgres user (the server refuses to run as root)."""
    line = " ".join(f"'{c}'" for c in cmd)
    if os.getuid() == 0:
        argv = ["su", "postgres", "-s", "/bin/sh", "-c", line]
    else:
        argv = ["sh", "-c", line]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {done.stderr.strip()}")


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="module")
def tls_server() -> Iterator[TlsServer]:
    if not BINDIR:
        pytest.skip("the PostgreSQL server binaries are not installed (apt-get install postgresql)")
    if not _port_free(PORT):
        pytest.skip(f"port {PORT} is in use: set FACECHART_TLS_TEST_PORT to a free one")
    bindir = Path(BINDIR[-1])
    state = Path(tempfile.mkdtemp(prefix="facechart-tls-"))
    data = state / "data"
    ca_key, ca = _ca("FaceChart test clinic CA")
    server_key, server = _server_cert(ca_key, ca)
    _, other = _ca("Somebody else's CA")
    (state / "ca.crt").write_bytes(_pem(ca))
    (state / "other-ca.crt").write_bytes(_pem(other))
    (state / "server.crt").write_bytes(_pem(server) + _pem(ca))
    (state / "server.key").write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (state / "server.key").chmod(0o600)  # the server refuses a key others can read
    if os.getuid() == 0:
        shutil.chown(state, "postgres")
        for f in state.iterdir():
            shutil.chown(f, "postgres")
    started = False
    try:
        _as_postgres(
            str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"
        )
        # TLS or nothing: a connection without it is rejected, so a pass means TLS was used
        (data / "pg_hba.conf").write_text(
            "local all postgres trust\n"  # the fixture's own createdb, on its socket
            "hostssl all all 127.0.0.1/32 trust\n"
            "hostnossl all all 127.0.0.1/32 reject\n"
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {PORT} -k {state} -c fsync=off -c ssl=on "
            f"-c ssl_cert_file={state / 'server.crt'} -c ssl_key_file={state / 'server.key'}"
        )
        _as_postgres(
            str(bindir / "pg_ctl"), "-D", str(data), "-l", str(state / "server.log"), "-w",
            "-o", options, "start",
        )  # fmt: skip
        started = True
        _as_postgres(
            str(bindir / "createdb"), "-h", str(state), "-p", str(PORT), "-U", "postgres",
            "facechart",
        )  # fmt: skip
        yield TlsServer(PORT, state / "ca.crt", state / "other-ca.crt")
    finally:
        if started:
            _as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(state, ignore_errors=True)


def _uses_tls(url: str) -> bool:
    store = open_store(url, migrate=False)
    try:
        with store.engine.connect() as conn:
            return bool(
                conn.execute(
                    text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                ).scalar_one()
            )
    finally:
        store.dispose()


def test_server_init_and_a_room_connect_with_verify_full_and_the_clinics_ca(
    tls_server: TlsServer,
) -> None:
    report = server_init(
        tls_server.url(), ask_admin=lambda: FirstAdmin("Dr Tess Tls", "2468", "over tls please")
    )
    assert report.admin == "Dr Tess Tls"
    for url in (tls_server.url("localhost"), tls_server.url("127.0.0.1")):
        assert _uses_tls(url)
        open_database(url).dispose()  # a room starts on it


@pytest.mark.parametrize(
    "case, expected",
    [
        ("another CA", "not signed by the CA in sslrootcert"),
        ("a host name the certificate does not name", "does not match host name"),
        ("no CA file", "does not exist"),
    ],
)
def test_a_wrong_ca_or_host_name_is_refused_saying_why(
    tls_server: TlsServer, case: str, expected: str, tmp_path: Path
) -> None:
    if case == "another CA":
        url = tls_server.url(ca=tls_server.other_ca)
    elif case == "no CA file":
        url = tls_server.url(ca=tmp_path / "ca.crt")
    else:  # the same server at 127.0.0.1, but asked for by a name its certificate lacks
        url = tls_server.url("facechart-server.invalid", hostaddr="127.0.0.1")
    with pytest.raises(ServerCertificateError) as refused:
        open_database(url)  # a room
    message = str(refused.value)
    assert expected in message and "certificate could not be verified" in message
    assert "\n" not in message
    made = subprocess.run(  # the administrator
        [sys.executable, "main.py", "server-init", url],
        cwd=REPO,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        timeout=120,
    )
    assert made.returncode == 2 and "Traceback" not in made.stderr
    assert made.stderr.strip().splitlines() == [f"error: {message}"]


@pytest.mark.parametrize(
    "driver_says, certificate",
    [
        ('connection to server at "10.0.0.5", port 5432 failed: SSL error: certificate verify '
         "failed", True),
        ('connection to server at "10.0.0.5", port 5432 failed: server certificate for "db" does '
         'not match host name "db.clinic.lan"', True),
        ('connection to server at "10.0.0.5", port 5432 failed: SSL error: unexpected eof while '
         "reading", False),
        ("consuming input failed: SSL SYSCALL error: EOF detected", False),
        ('connection to server at "10.0.0.5", port 5432 failed: Connection refused', False),
    ],
)  # fmt: skip
def test_only_a_certificate_failure_is_a_certificate_error(
    driver_says: str, certificate: bool
) -> None:
    """A server that goes away mid-session also speaks of SSL: that is an outage to wait out,
    not a setting to fix (no server needed: the driver's words are what is classified)."""
    translated = translate(OperationalError("SELECT 1", {}, Exception(driver_says)))
    assert isinstance(translated, ServerCertificateError) is certificate
    if not certificate:
        assert isinstance(translated, DatabaseUnavailableError | None)
