"""How a service authenticates to Kafka: one config, read from its settings at start-up.

`KafkaConnection.from_settings` reads the SASL password file once; the password is kept out of
every repr/str. The same object gives the aiokafka keyword arguments (the producer, the admin
client) and FastStream's `security=` object (the consumers' broker), so both speak to the same
listener the same way. PLAINTEXT (the default) adds nothing: clients are built exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from aiokafka.helpers import create_ssl_context
from faststream.security import BaseSecurity, SASLScram256, SASLScram512

if TYPE_CHECKING:
    from shared.settings import ServiceSettings

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_SSL"]
SaslMechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256"]


class KafkaSecurityError(ValueError):
    """The Kafka security settings cannot work: raised at start-up, never at the first send."""


def read_password_file(path: Path) -> str:
    """The secret's content without the trailing newline a mounted or echoed file may carry."""
    try:
        password = path.read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise KafkaSecurityError(
            f"kafka_sasl_password_file {str(path)!r} cannot be read ({exc.strerror or exc})"
        ) from None
    if not password:
        raise KafkaSecurityError(f"kafka_sasl_password_file {str(path)!r} is empty")
    return password


@dataclass(frozen=True)
class KafkaConnection:
    """Where the cluster is and how to authenticate to it."""

    bootstrap_servers: str
    security_protocol: SecurityProtocol = "PLAINTEXT"
    sasl_mechanism: SaslMechanism | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False, compare=False)
    ssl_cafile: Path | None = None

    def __post_init__(self) -> None:
        if self.uses_sasl:
            if not self.sasl_username:
                raise KafkaSecurityError(f"{self.security_protocol} needs kafka_sasl_username")
            if not self.sasl_password:
                raise KafkaSecurityError(f"{self.security_protocol} needs a SASL password")
            if self.sasl_mechanism is None:
                object.__setattr__(self, "sasl_mechanism", "SCRAM-SHA-512")

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol == "SASL_SSL"

    @property
    def uses_ssl(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> KafkaConnection:
        """Read the password file now (start-up); a missing or empty file fails here."""
        protocol = settings.kafka_security_protocol
        password = None
        if protocol == "SASL_SSL":
            if settings.kafka_sasl_password_file is None:
                raise KafkaSecurityError("SASL_SSL needs kafka_sasl_password_file")
            password = read_password_file(settings.kafka_sasl_password_file)
        return cls(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            security_protocol=protocol,
            sasl_mechanism=settings.kafka_sasl_mechanism if protocol == "SASL_SSL" else None,
            sasl_username=settings.kafka_sasl_username if protocol == "SASL_SSL" else None,
            sasl_password=password,
            ssl_cafile=settings.kafka_ssl_cafile if protocol != "PLAINTEXT" else None,
        )

    def _ssl_context(self) -> Any:
        # No CA file: the system's trust store (create_ssl_context always checks host names).
        return create_ssl_context(cafile=str(self.ssl_cafile) if self.ssl_cafile else None)

    def aiokafka_kwargs(self) -> dict[str, Any]:
        """Security keyword arguments for AIOKafkaProducer / AIOKafkaAdminClient / consumers.

        Empty for PLAINTEXT, so the clients keep aiokafka's defaults exactly.
        """
        if not self.uses_ssl:
            return {}
        kwargs: dict[str, Any] = {
            "security_protocol": self.security_protocol,
            "ssl_context": self._ssl_context(),
        }
        if self.uses_sasl:
            kwargs |= {
                "sasl_mechanism": self.sasl_mechanism,
                "sasl_plain_username": self.sasl_username,
                "sasl_plain_password": self.sasl_password,
            }
        return kwargs

    def faststream_security(self) -> BaseSecurity | None:
        """FastStream's `KafkaBroker(security=...)`; None for PLAINTEXT (FastStream's default)."""
        if not self.uses_ssl:
            return None
        context = self._ssl_context()
        if not self.uses_sasl:
            return BaseSecurity(ssl_context=context, use_ssl=True)
        assert self.sasl_username is not None
        assert self.sasl_password is not None
        scram = SASLScram512 if self.sasl_mechanism == "SCRAM-SHA-512" else SASLScram256
        return scram(self.sasl_username, self.sasl_password, ssl_context=context, use_ssl=True)
