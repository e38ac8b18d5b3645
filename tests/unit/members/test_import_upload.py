"""Finding the uploaded file in a multipart/form-data body (RFC 7578)."""

from __future__ import annotations

import httpx
import pytest

from services.members.importing.errors import FileRejected
from services.members.importing.upload import uploaded_file


def _encoded(
    files: dict[str, tuple[str, bytes]], data: dict[str, str] | None = None
) -> tuple[str, bytes]:
    request = httpx.Request("POST", "http://x/", files=files, data=data)
    return request.headers["content-type"], request.read()


def test_the_file_part_is_found_among_other_fields() -> None:
    content = b"a,b\r\n--not-the-boundary\r\n1,2\r\n"
    content_type, body = _encoded({"file": ("鸡西 委员.csv", content)}, {"note": "x"})
    assert uploaded_file(content_type, body) == ("鸡西 委员.csv", content)


def test_a_path_in_the_file_name_is_dropped() -> None:
    content_type, body = _encoded({"file": ("C:\\Users\\me\\members.xlsx", b"PK")})
    assert uploaded_file(content_type, body)[0] == "members.xlsx"


def test_an_rfc_2231_file_name_is_decoded() -> None:
    body = (
        b"--b\r\nContent-Disposition: form-data; name=file; "
        b"filename*=UTF-8''%E9%B8%A1%E8%A5%BF.csv\r\n\r\nx\r\n--b--\r\n"
    )
    assert uploaded_file("multipart/form-data; boundary=b", body) == ("鸡西.csv", b"x")


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("application/json", b"{}", 415),
        ("multipart/form-data", b"", 415),
        ("multipart/form-data; boundary=b", b"", 422),
        ("multipart/form-data; boundary=b", b"--b\r\nno headers end", 422),
        ("multipart/form-data; boundary=b", b"--b\r\n\r\nx\r\n--b--", 422),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="other"\r\n\r\nx\r\n--b--\r\n',
            422,
        ),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="file"\r\n\r\nunterminated',
            422,
        ),
    ],
)
def test_anything_else_is_refused(content_type: str, body: bytes, status: int) -> None:
    with pytest.raises(FileRejected) as rejected:
        uploaded_file(content_type, body)
    assert rejected.value.status == status
