"""The file part of a multipart/form-data upload (RFC 7578), from a body already in memory.

Small and strict on purpose: the body was read (and size-limited) before the endpoint ran,
and this avoids a dependency on python-multipart just to find one part in it.
"""

from __future__ import annotations

from email.message import Message

from services.members.importing.errors import FileRejected

FIELD = "file"
_CRLF = b"\r\n"


def _params(header: str, name: str = "content-type") -> Message:
    message = Message()
    message[name] = header
    return message


def uploaded_file(content_type: str, body: bytes) -> tuple[str, bytes]:
    """(file name, bytes) of the part named `file`; FileRejected when there is none."""
    outer = _params(content_type)
    boundary = outer.get_param("boundary")
    if outer.get_content_type() != "multipart/form-data" or not isinstance(boundary, str):
        raise FileRejected(415, "upload the file as multipart/form-data, in a part named 'file'")
    delimiter = b"--" + boundary.encode("latin-1")
    start = body.find(delimiter)
    while start != -1:
        start += len(delimiter)
        if body.startswith(b"--", start):
            break  # the close delimiter
        end = body.find(_CRLF + delimiter, start)
        if end == -1 or not body.startswith(_CRLF, start):
            break
        head_end = body.find(_CRLF * 2, start + 2, end)
        if head_end == -1:
            break
        disposition = _disposition(body[start + 2 : head_end])
        if disposition is not None and _field(disposition) == FIELD:
            return _file_name(disposition), body[head_end + 4 : end]
        start = end + 2
    raise FileRejected(422, "the upload has no file part named 'file'")


def _disposition(head: bytes) -> Message | None:
    for line in head.decode("utf-8", errors="replace").split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-disposition":
            return _params(value.strip(), "content-disposition")
    return None


def _field(disposition: Message) -> object:
    return disposition.get_param("name", header="content-disposition")


def _file_name(disposition: Message) -> str:
    text = disposition.get_filename() or ""
    return (text.replace("\\", "/").rsplit("/", 1)[-1] or "upload")[:200]
