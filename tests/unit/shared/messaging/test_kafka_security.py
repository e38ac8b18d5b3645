"""Kafka authentication settings: PLAINTEXT unchanged, SASL_SSL complete, the password hidden."""

from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from faststream.kafka import KafkaBroker
from faststream.security import SASLScram256, SASLScram512
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from shared.messaging.broker import create_broker
from shared.messaging.producer import create_producer
from shared.messaging.security import KafkaConnection, KafkaSecurityError
from shared.settings import ServiceSettings

PASSWORD = "s3cr3t-Pa55w0rd-never-logged"


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "password"
    path.write_text(PASSWORD + "\n")  # Secrets mounted or echoed may end with a newline
    return path


@pytest.fixture
def cafile(tmp_path: Path) -> Path:
    """A throw-away self-signed CA: loaded into the SSLContext, never connected with."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test-ca")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = tmp_path / "ca.crt"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def _sasl_settings(
    password_file: Path, cafile: Path | None, **overrides: object
) -> ServiceSettings:
    values: dict[str, object] = {
        "kafka_bootstrap_servers": "cppcc-kafka-bootstrap:9093",
        "kafka_security_protocol": "SASL_SSL",
        "kafka_sasl_username": "cppcc-visits",
        "kafka_sasl_password_file": password_file,
        "kafka_ssl_cafile": cafile,
        **overrides,
    }
    return ServiceSettings(**values)  # type: ignore[arg-type]


def _consumer_kwargs(broker: KafkaBroker) -> dict[str, Any]:
    """What FastStream hands each AIOKafkaConsumer it builds (its internals, 0.7.x)."""
    builder: Any = broker.config.broker_config.builder
    return dict(builder.keywords)


def test_plaintext_is_the_default_and_adds_no_security_arguments() -> None:
    settings = ServiceSettings()
    assert settings.kafka_security_protocol == "PLAINTEXT"
    connection = KafkaConnection.from_settings(settings)
    assert connection.bootstrap_servers == settings.kafka_bootstrap_servers
    assert connection.aiokafka_kwargs() == {}
    assert connection.faststream_security() is None


async def test_plaintext_clients_are_built_as_before() -> None:
    connection = KafkaConnection("127.0.0.1:9092")
    producer = create_producer(connection, client_id="t")
    assert producer.client._security_protocol == "PLAINTEXT"
    assert producer.client._ssl_context is None
    broker = create_broker(connection, client_id="t")
    consumer_kwargs = _consumer_kwargs(broker)
    assert "security_protocol" not in consumer_kwargs
    assert "sasl_mechanism" not in consumer_kwargs


def test_sasl_ssl_gives_scram_kwargs_with_the_password_from_the_file(
    password_file: Path, cafile: Path
) -> None:
    connection = KafkaConnection.from_settings(_sasl_settings(password_file, cafile))
    kwargs = connection.aiokafka_kwargs()
    assert kwargs["security_protocol"] == "SASL_SSL"
    assert kwargs["sasl_mechanism"] == "SCRAM-SHA-512"
    assert kwargs["sasl_plain_username"] == "cppcc-visits"
    assert kwargs["sasl_plain_password"] == PASSWORD
    context = kwargs["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.check_hostname
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert [c["subject"] for c in context.get_ca_certs()] == [((("commonName", "test-ca"),),)]


def test_sasl_ssl_gives_a_faststream_scram_security(password_file: Path, cafile: Path) -> None:
    connection = KafkaConnection.from_settings(_sasl_settings(password_file, cafile))
    security = connection.faststream_security()
    assert isinstance(security, SASLScram512)
    assert security.username == "cppcc-visits"
    assert security.password == PASSWORD
    assert security.use_ssl
    assert isinstance(security.ssl_context, ssl.SSLContext)

    sha256 = _sasl_settings(password_file, cafile, kafka_sasl_mechanism="SCRAM-SHA-256")
    assert isinstance(KafkaConnection.from_settings(sha256).faststream_security(), SASLScram256)


async def test_the_producer_and_broker_use_the_security(password_file: Path, cafile: Path) -> None:
    connection = KafkaConnection.from_settings(_sasl_settings(password_file, cafile))
    producer = create_producer(connection, client_id="t")
    assert producer.client._security_protocol == "SASL_SSL"
    assert producer.client._sasl_mechanism == "SCRAM-SHA-512"
    assert producer.client._sasl_plain_username == "cppcc-visits"
    assert isinstance(producer.client._ssl_context, ssl.SSLContext)
    broker = create_broker(connection, client_id="t")
    consumer_kwargs = _consumer_kwargs(broker)
    assert consumer_kwargs["security_protocol"] == "SASL_SSL"
    assert consumer_kwargs["sasl_mechanism"] == "SCRAM-SHA-512"
    assert consumer_kwargs["sasl_plain_username"] == "cppcc-visits"
    assert isinstance(consumer_kwargs["ssl_context"], ssl.SSLContext)


def test_ssl_without_sasl_gives_only_tls(cafile: Path) -> None:
    settings = ServiceSettings(kafka_security_protocol="SSL", kafka_ssl_cafile=cafile)
    connection = KafkaConnection.from_settings(settings)
    kwargs = connection.aiokafka_kwargs()
    assert set(kwargs) == {"security_protocol", "ssl_context"}
    security = connection.faststream_security()
    assert security is not None
    assert security.use_ssl
    assert not isinstance(security, SASLScram512)


def test_sasl_without_username_is_a_settings_error(password_file: Path) -> None:
    with pytest.raises(ValidationError, match="kafka_sasl_username"):
        _sasl_settings(password_file, None, kafka_sasl_username=None)


def test_sasl_without_password_file_is_a_settings_error() -> None:
    with pytest.raises(ValidationError, match="kafka_sasl_password_file"):
        ServiceSettings(kafka_security_protocol="SASL_SSL", kafka_sasl_username="u")


def test_a_missing_password_file_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="does not exist"):
        _sasl_settings(tmp_path / "absent", None)


def test_a_password_file_gone_by_start_up_fails_clearly(password_file: Path) -> None:
    settings = _sasl_settings(password_file, None)
    password_file.unlink()
    with pytest.raises(KafkaSecurityError, match="cannot be read"):
        KafkaConnection.from_settings(settings)


def test_an_empty_password_file_fails_clearly(password_file: Path) -> None:
    password_file.write_text("\n")
    with pytest.raises(KafkaSecurityError, match="empty"):
        KafkaConnection.from_settings(_sasl_settings(password_file, None))


def test_a_missing_ca_file_is_a_settings_error(password_file: Path, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="kafka_ssl_cafile"):
        _sasl_settings(password_file, tmp_path / "absent.crt")


def test_the_password_never_appears_in_repr_or_str(password_file: Path, cafile: Path) -> None:
    settings = _sasl_settings(password_file, cafile)
    connection = KafkaConnection.from_settings(settings)
    for text in (repr(settings), str(settings), repr(connection), str(connection)):
        assert PASSWORD not in text
    assert "cppcc-visits" in repr(connection)


def test_settings_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, password_file: Path, cafile: Path
) -> None:
    class VisitsLike(ServiceSettings):
        model_config = SettingsConfigDict(env_prefix="VISITS_", extra="ignore", frozen=True)

    monkeypatch.setenv("VISITS_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("VISITS_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("VISITS_KAFKA_SASL_USERNAME", "cppcc-visits")
    monkeypatch.setenv("VISITS_KAFKA_SASL_PASSWORD_FILE", str(password_file))
    monkeypatch.setenv("VISITS_KAFKA_SSL_CAFILE", str(cafile))
    connection = KafkaConnection.from_settings(VisitsLike())
    assert connection.aiokafka_kwargs()["sasl_plain_password"] == PASSWORD
