"""Log redaction: phone and ID numbers never leave the process, ids and timestamps do."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from shared.logging import ID_MASK, PHONE_MASK, configure_logging, get_logger, redact_text

PHONE = "13812345678"
ID_NUMBER = "11010519491231002X"


@pytest.mark.parametrize(
    "phone",
    [
        "13812345678",
        "19912345678",
        "+86 138-1234-5678",
        "+8613812345678",
        "86 13812345678",
        "138 1234 5678",
        "138-1234-5678",
    ],
)
def test_mainland_mobile_numbers_are_masked_in_any_common_spelling(phone: str) -> None:
    assert redact_text(f"call {phone} today") == f"call {PHONE_MASK} today"


def test_a_phone_number_inside_chinese_text_is_masked() -> None:
    assert redact_text(f"委员电话{PHONE}，请回电") == f"委员电话{PHONE_MASK}，请回电"


@pytest.mark.parametrize(
    "id_number", ["110105194912310021", "11010519491231002X", "11010519491231002x"]
)
def test_eighteen_character_id_numbers_are_masked_including_a_trailing_x(id_number: str) -> None:
    assert redact_text(f"id={id_number};") == f"id={ID_MASK};"


def test_every_personal_number_in_one_text_is_masked() -> None:
    text = f"{PHONE} / {ID_NUMBER} / 139 8765 4321"
    assert redact_text(text) == f"{PHONE_MASK} / {ID_MASK} / {PHONE_MASK}"


@pytest.mark.parametrize(
    "text",
    [
        "0190f3a2-1b38-7234-8678-abcdefabcdef",
        "12345678-1234-1234-1234-123456789012",
        "region 230381",
        "2026-11-27T10:00:00.123456+00:00",
        "migration 20261127100000",
        "offset 13812345678901",
        "epoch ms 1732700000000",
        "twelve digits 138123456789",
        "nineteen digits 1101051949123100211",
        "not a mobile prefix 12812345678",
        "seventeen digits 11010519491231002",
    ],
)
def test_ids_codes_timestamps_and_long_numbers_are_left_alone(text: str) -> None:
    assert redact_text(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "0190f3a2-b138-7234-8678-abcdefabcdef",
        "01a1f8bc-310a-7120-b1b1-e14270039306",
        "abcdef13812345678abcdef012345678",
    ],
    ids=["uuid-dashed-groups", "uuid-last-group", "trace-id"],
)
def test_uuids_and_hex_ids_are_never_mistaken_for_phone_numbers(text: str) -> None:
    assert redact_text(text) == text


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """configure_logging rewires the root logger and structlog; put both back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    noisy = {name: logging.getLogger(name).level for name in ("aiokafka", "kafka", "asyncio")}
    config = structlog.get_config()
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, noisy_level in noisy.items():
        logging.getLogger(name).setLevel(noisy_level)
    structlog.configure(**config)
    structlog.contextvars.clear_contextvars()


def _json_lines(err: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in err.splitlines() if line.strip()]


@pytest.mark.usefixtures("restore_logging")
def test_json_logs_carry_the_service_and_mask_personal_numbers_everywhere(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(service="t", json=True)
    get_logger("unit").info(
        f"registered member {PHONE} with id {ID_NUMBER}",
        phone=PHONE,
        member={"contact": {"mobile": f"+86 {PHONE}", "id_number": ID_NUMBER}},
        aliases=[PHONE, "230381"],
    )

    err = capsys.readouterr().err
    (line,) = _json_lines(err)
    assert line["service"] == "t"
    assert line["level"] == "info"
    assert line["logger"] == "unit"
    assert line["event"] == f"registered member {PHONE_MASK} with id {ID_MASK}"
    assert line["phone"] == PHONE_MASK
    assert line["member"] == {"contact": {"mobile": PHONE_MASK, "id_number": ID_MASK}}
    assert line["aliases"] == [PHONE_MASK, "230381"]
    assert PHONE not in err
    assert ID_NUMBER not in err


@pytest.mark.usefixtures("restore_logging")
def test_stdlib_loggers_go_through_the_same_json_renderer_and_redaction(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(service="t", json=True)
    logging.getLogger("uvicorn.error").warning("caller %s sent %s", PHONE, ID_NUMBER)

    (line,) = _json_lines(capsys.readouterr().err)
    assert line["service"] == "t"
    assert line["logger"] == "uvicorn.error"
    assert line["level"] == "warning"
    assert line["event"] == f"caller {PHONE_MASK} sent {ID_MASK}"


@pytest.mark.usefixtures("restore_logging")
def test_an_exception_traceback_is_redacted_too(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(service="t", json=True)
    try:
        raise RuntimeError(f"duplicate phone {PHONE}")
    except RuntimeError:
        get_logger("unit").exception("insert failed")

    err = capsys.readouterr().err
    (line,) = _json_lines(err)
    assert "RuntimeError: duplicate phone [phone]" in line["exception"]
    assert PHONE not in err


@pytest.mark.usefixtures("restore_logging")
def test_log_lines_inside_a_span_carry_its_trace_and_span_ids(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(service="t", json=True)
    context = SpanContext(
        trace_id=0x0AF7651916CD43DD8448EB211C80319C,
        span_id=0x00F067AA0BA902B7,
        is_remote=False,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
    )
    with trace.use_span(NonRecordingSpan(context)):
        get_logger("unit").info("inside")
    get_logger("unit").info("outside")

    inside, outside = _json_lines(capsys.readouterr().err)
    assert inside["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert inside["span_id"] == "00f067aa0ba902b7"
    assert "trace_id" not in outside


@pytest.mark.usefixtures("restore_logging")
def test_levels_below_the_configured_one_are_dropped(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(service="t", level="warning", json=True)
    get_logger("unit").info("quiet")
    get_logger("unit").warning("loud")

    lines = _json_lines(capsys.readouterr().err)
    assert [line["event"] for line in lines] == ["loud"]
