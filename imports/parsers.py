"""Streaming readers for article dumps: files, folders, .gz and .zip, in JSONL, JSON, CSV/TSV and text.

Every reader yields one `Item` per record and never holds more than one record (bounded by
`max_record_bytes`) in memory. Records that cannot be read become items with an `error`, so the
service can report them without stopping. Input is enumerated in a fixed order of "units" (a file,
or a member of an archive), which is what makes a checkpoint of (unit, item) resumable.
"""

import codecs
import csv
import gzip
import io
import json
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings

BOM = b"\xef\xbb\xbf"
READ_SIZE = 1 << 16


def limit(name: str) -> int:
    """Documented limits, overridable in settings (tests use small ones)."""
    defaults = {
        # One record (a JSON line, a CSV row, a text file) may be at most this large.
        "IMPORT_MAX_RECORD_BYTES": 5 * 1024 * 1024,
        # A .zip may list at most this many members, checked from its end record before anything is read.
        "IMPORT_MAX_ZIP_MEMBERS": 10_000,
        # A .zip may declare at most this many uncompressed bytes in all; a .gz stops reading there.
        "IMPORT_MAX_EXPANDED_BYTES": 20 * 1024**3,
    }
    return int(getattr(settings, name, defaults[name]))


class InputError(Exception):
    """The input as a whole cannot be read (missing path, unreadable file)."""


def _cp1252_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    # Stray bytes in otherwise UTF-8 text are nearly always Windows-1252 (smart quotes, dashes).
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error("copydesk-cp1252", _cp1252_fallback)


def decode(raw: bytes) -> tuple[str, bool]:
    """UTF-8, with invalid bytes read as Windows-1252; the flag says whether the fallback was used."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="copydesk-cp1252"), True


@dataclass
class Item:
    """One record as read: a mapping of field names to values, or an error saying why it is unreadable."""

    index: int
    fields: dict | None = None
    raw: str = ""
    line: int | None = None
    row: int | None = None
    error: str = ""
    error_field: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class Unit:
    """A file or an archive member: the unit a checkpoint counts items in."""

    index: int
    file: str
    member: str
    format: str
    open: Callable[[], object] | None
    # Set for a unit that cannot be read at all; it yields one error item.
    error: str = ""


class Prefixed:
    """A binary stream with an already-read prefix put back in front, and a byte budget."""

    def __init__(self, stream, prefix: bytes = b"", budget: int | None = None):
        self.stream = stream
        self.prefix = prefix
        self.budget = budget
        self.consumed = 0

    def _account(self, data: bytes) -> bytes:
        self.consumed += len(data)
        if self.budget is not None and self.consumed > self.budget:
            raise ExpansionLimit(f"the data expands past the {self.budget:,} byte limit; reading stopped")
        return data

    def read(self, size: int = -1) -> bytes:
        if self.prefix:
            if size < 0 or size >= len(self.prefix):
                data, self.prefix = self.prefix, b""
                rest = self.stream.read(-1 if size < 0 else size - len(data))
                return self._account(data + rest)
            data, self.prefix = self.prefix[:size], self.prefix[size:]
            return data
        return self._account(self.stream.read(size))

    def close(self) -> None:
        self.stream.close()

    def readline(self, size: int = -1) -> bytes:
        if self.prefix:
            cut = self.prefix.find(b"\n")
            if cut >= 0 and (size < 0 or cut < size):
                data, self.prefix = self.prefix[: cut + 1], self.prefix[cut + 1 :]
                return data
            if size >= 0 and len(self.prefix) >= size:
                data, self.prefix = self.prefix[:size], self.prefix[size:]
                return data
            data, self.prefix = self.prefix, b""
            return data + self._account(self.stream.readline(-1 if size < 0 else size - len(data)))
        return self._account(self.stream.readline(size))


class ExpansionLimit(Exception):
    pass


class _Gunzipped(io.RawIOBase):
    """A .gz stream that ends cleanly where the data is cut off, keeping what came before, and
    remembers why it ended early (reported after the records that could be read)."""

    def __init__(self, fileobj):
        self.gzip = gzip.GzipFile(fileobj=fileobj, mode="rb")
        self.error: Exception | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.error is not None:
            return 0
        try:
            data = self.gzip.read1(len(buffer))
        except (EOFError, OSError, zlib.error) as error:
            self.error = error
            return 0
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.gzip.close()
        super().close()


def gunzip(fileobj) -> "Prefixed":
    raw = _Gunzipped(fileobj)
    stream = Prefixed(io.BufferedReader(raw, buffer_size=READ_SIZE), budget=limit("IMPORT_MAX_EXPANDED_BYTES"))
    stream.source_error = lambda: raw.error
    return stream


def _raw_text(raw: bytes) -> str:
    return raw[:20_000].decode("utf-8", errors="replace")


# --- JSON lines ---------------------------------------------------------------------------------

_decoder = json.JSONDecoder(strict=False)


def _json_object(raw: bytes, item: Item) -> None:
    """Parse one JSON document into item.fields, or set item.error."""
    if b"\x00" in raw:
        raw = raw.replace(b"\x00", b"")
        item.warnings.append("NUL bytes removed")
    text, fallback = decode(raw)
    if fallback:
        item.warnings.append("invalid UTF-8 bytes read as Windows-1252")
    try:
        value = _decoder.decode(text)
    except json.JSONDecodeError as error:
        item.error = f"invalid JSON: {error}"
        return
    except RecursionError:
        item.error = "invalid JSON: nested too deeply"
        return
    if not isinstance(value, dict):
        item.error = f"the record is a JSON {type(value).__name__}, not an object"
        return
    item.fields = value


def read_jsonl(stream, max_bytes: int) -> Iterator[Item]:
    line_no = index = 0
    while True:
        raw = stream.readline(max_bytes + 1)
        if not raw:
            return
        line_no += 1
        if line_no == 1 and raw.startswith(BOM):
            raw = raw[3:]
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            size, head = len(raw), raw[:2000]
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(READ_SIZE)
                size += len(raw)
            yield Item(
                index=index,
                line=line_no,
                raw=_raw_text(head),
                error=f"the record is {size:,} bytes, over the {max_bytes:,} byte limit",
            )
            index += 1
            continue
        if not raw.strip():
            continue
        item = Item(index=index, line=line_no)
        _json_object(raw, item)
        if item.error:
            item.raw = _raw_text(raw.rstrip(b"\r\n"))
            if not raw.endswith(b"\n") and not stream.readline(1):
                item.error = f"the last line is incomplete (was the file cut short?); {item.error}"
        else:
            item.raw = ""
        index += 1
        yield item


# --- JSON array ---------------------------------------------------------------------------------


_SPECIAL = re.compile(rb'[\[\]{}",]')
_STRING_SPECIAL = re.compile(rb'[\\"]')


def read_json_array(stream, max_bytes: int) -> Iterator[Item]:
    """Split a top-level JSON array into elements by scanning brackets and strings, one element at a time."""
    buffer = stream.read(READ_SIZE)
    if buffer.startswith(BOM):
        buffer = buffer[3:]
    if not buffer.lstrip().startswith(b"["):
        yield Item(index=0, line=1, error="not a JSON array", raw=_raw_text(buffer[:2000]))
        return
    position = start = buffer.index(b"[") + 1
    line = element_base = 1 + buffer.count(b"\n", 0, position)
    depth = index = oversize = 0
    in_string = escaped = False
    element = bytearray()

    def keep(upto: int) -> None:
        nonlocal oversize, line, start
        segment = buffer[start:upto]
        line += segment.count(b"\n")
        start = upto
        if oversize:
            oversize += len(segment)
        elif len(element) + len(segment) > max_bytes:
            oversize = len(element) + len(segment)
            del element[2000:]
        else:
            element.extend(segment)

    def finish() -> Item | None:
        nonlocal element, oversize, index, element_base
        content = element.lstrip()
        element_line = element_base + element[: len(element) - len(content)].count(b"\n")
        item = None
        if oversize:
            item = Item(
                index=index,
                line=element_line,
                row=index + 1,
                raw=_raw_text(bytes(content[:2000])),
                error=f"the record is {oversize:,} bytes, over the {max_bytes:,} byte limit",
            )
        elif content.strip():
            item = Item(index=index, line=element_line, row=index + 1)
            _json_object(bytes(content), item)
            item.raw = _raw_text(bytes(content)) if item.error else ""
        if item is not None:
            index += 1
        element, oversize, element_base = bytearray(), 0, line
        return item

    while True:
        if position >= len(buffer):
            keep(len(buffer))
            buffer = stream.read(READ_SIZE)
            position = start = 0
            if not buffer:
                if depth or in_string or element.strip() or oversize:
                    item = finish() or Item(index=index, line=line)
                    item.fields = None
                    item.error = "the file ends inside a record (was it cut short?)"
                    yield item
                else:
                    yield Item(index=index, line=line, error="the JSON array is not closed (was the file cut short?)")
                return
        if in_string:
            if escaped:
                escaped = False
                position += 1
                continue
            match = _STRING_SPECIAL.search(buffer, position)
            if match is None:
                position = len(buffer)
                continue
            position = match.end()
            if match.group() == b"\\":
                escaped = True
            else:
                in_string = False
            continue
        match = _SPECIAL.search(buffer, position)
        if match is None:
            position = len(buffer)
            continue
        char = match.group()
        position = match.end()
        if char == b'"':
            in_string = True
        elif char in b"{[":
            depth += 1
        elif depth == 0 and char in b",]":
            keep(match.start())
            start = position
            item = finish()
            if item is not None:
                yield item
            if char == b"]":
                return
        elif char in b"}]":
            depth -= 1


# --- CSV / TSV ----------------------------------------------------------------------------------


class _RecordTooLarge(Exception):
    pass


def _choose_delimiter(header: str, file_name: str) -> str:
    if file_name.lower().endswith((".tsv", ".tab")):
        return "\t"
    counts = {delimiter: header.count(delimiter) for delimiter in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(stream, max_bytes: int, file_name: str = "") -> Iterator[Item]:
    csv.field_size_limit(max_bytes)
    state = {"fallback": False, "nul": False, "line": 0}

    class Lines:
        """Decoded lines for csv.reader; an over-long line raises, and reading goes on after it."""

        def __iter__(self):
            return self

        def __next__(self) -> str:
            raw = stream.readline(max_bytes + 1)
            if not raw:
                raise StopIteration
            if state["line"] == 0 and raw.startswith(BOM):
                raw = raw[3:]
            state["line"] += 1
            if len(raw) > max_bytes and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):
                    raw = stream.readline(READ_SIZE)
                raise _RecordTooLarge
            if b"\x00" in raw:
                raw = raw.replace(b"\x00", b"")
                state["nul"] = True
            text, fallback = decode(raw)
            state["fallback"] |= fallback
            return text

    source = Lines()
    try:
        header_line = next(source)
    except StopIteration:
        return
    except _RecordTooLarge:
        yield Item(index=0, line=1, error=f"the header row is over the {max_bytes:,} byte limit")
        return
    delimiter = _choose_delimiter(header_line, file_name)
    header = next(csv.reader([header_line], delimiter=delimiter))
    header = [name.strip() for name in header]
    if not any(header):
        yield Item(index=0, line=1, error="the header row is empty")
        return
    index = 0
    consumed = state["line"]
    while True:
        reader = csv.reader(source, delimiter=delimiter, strict=False)
        try:
            for cells in reader:
                item = Item(index=index, line=consumed + 1, row=index + 1)
                consumed = state["line"]
                if state["nul"]:
                    item.warnings.append("NUL bytes removed")
                if state["fallback"]:
                    item.warnings.append("invalid UTF-8 bytes read as Windows-1252")
                state["fallback"] = state["nul"] = False
                if not any(cell.strip() for cell in cells):
                    continue
                extra_cells = cells[len(header) :]
                if len(cells) < len(header) or any(cell.strip() for cell in extra_cells):
                    item.error = f"the row has {len(cells)} cells but the header has {len(header)}"
                    item.raw = json.dumps(cells, ensure_ascii=False)[:20_000]
                else:
                    item.fields = {name: value for name, value in zip(header, cells, strict=False) if name}
                index += 1
                yield item
            return
        except _RecordTooLarge:
            yield Item(
                index=index,
                line=state["line"],
                row=index + 1,
                error=f"a line of the file is over the {max_bytes:,} byte limit",
            )
            index += 1
            consumed = state["line"]
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                message = f"a cell is over the {max_bytes:,} byte limit"
            else:
                message = f"unreadable CSV: {error}"
            yield Item(index=index, line=consumed + 1, row=index + 1, error=message)
            index += 1
            consumed = state["line"]


# --- Plain text ---------------------------------------------------------------------------------


def read_txt(stream, max_bytes: int) -> Iterator[Item]:
    """The common plain layout: the first non-empty line is the title, the rest is the body."""
    raw = stream.read(max_bytes + 1)
    if len(raw) > max_bytes:
        size = len(raw)
        while chunk := stream.read(READ_SIZE):
            size += len(chunk)
        yield Item(index=0, line=1, raw=_raw_text(raw[:2000]), error=f"the file is over the {max_bytes:,} byte limit")
        return
    if raw.startswith(BOM):
        raw = raw[3:]
    item = Item(index=0, line=1)
    if b"\x00" in raw:
        raw = raw.replace(b"\x00", b"")
        item.warnings.append("NUL bytes removed")
    text, fallback = decode(raw)
    if fallback:
        item.warnings.append("invalid UTF-8 bytes read as Windows-1252")
    if not text.strip():
        item.error = "the file is empty"
        yield item
        return
    lines = text.splitlines()
    first = next(number for number, content in enumerate(lines) if content.strip())
    item.line = first + 1
    item.fields = {"title": lines[first], "body": "\n".join(lines[first + 1 :])}
    yield item


# --- Units: files, folders, archives -------------------------------------------------------------

FORMAT_BY_SUFFIX = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonlines": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".txt": "txt",
    ".text": "txt",
}


def detect_format(name: str, requested: str) -> str | None:
    """The format of a file: the requested one, else by its name (`.jsonl.gz` is JSON lines)."""
    lowered = name.lower()
    if lowered.endswith(".gz"):
        lowered = lowered[:-3]
    suffix = PurePosixPath(lowered).suffix
    if requested and requested != "auto":
        return "json" if requested == "jsonl" and suffix == ".json" else requested
    return FORMAT_BY_SUFFIX.get(suffix)


def read_unit_items(stream, fmt: str, file_name: str, max_bytes: int) -> Iterator[Item]:
    head = stream.read(READ_SIZE)
    if not head.strip(b" \t\r\n\x00" + BOM) and not stream.read(1):
        yield Item(index=0, line=1, error="the file is empty")
        return
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        yield Item(index=0, line=1, error="the file is UTF-16; save it as UTF-8 and import it again")
        return
    stream = Prefixed(stream, head)
    if fmt in {"json", "jsonl"}:
        first = head.lstrip(BOM + b" \t\r\n")[:1]
        reader = read_json_array(stream, max_bytes) if first == b"[" else read_jsonl(stream, max_bytes)
    elif fmt == "csv":
        reader = read_csv(stream, max_bytes, file_name)
    else:
        reader = read_txt(stream, max_bytes)
    yield from reader


def _unsafe_member_name(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return name.startswith(("/", "\\")) or ".." in path.parts or (len(name) > 1 and name[1] == ":")


def _zip_member_count(handle) -> int | None:
    """Members an archive declares, from its end record, before the central directory is read."""
    end = zipfile._EndRecData(handle)  # the standard library's own end-record reader
    if end is None:
        return None
    return end[zipfile._ECD_ENTRIES_TOTAL]


class DiskFile:
    """A file on disk whose read position tells how far the import has got."""

    def __init__(self, path: Path, name: str, in_folder: bool = False):
        self.path = path
        self.name = name
        self.in_folder = in_folder
        self.size = path.stat().st_size
        self.handle = None

    def open(self):
        self.handle = self.path.open("rb")
        return self.handle

    def position(self) -> int:
        try:
            return self.handle.tell() if self.handle and not self.handle.closed else 0
        except (OSError, ValueError):
            return 0

    def close(self) -> None:
        if self.handle:
            self.handle.close()


def walk_inputs(entries: list[dict]) -> list[DiskFile]:
    """Expand files and folders (recursively, sorted, hidden files skipped) into disk files."""
    files = []
    for entry in entries:
        path = Path(entry["path"])
        name = entry.get("name") or str(path)
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__MACOSX")
                for file_name in sorted(names):
                    if file_name.startswith("."):
                        continue
                    full = Path(root) / file_name
                    files.append(DiskFile(full, str(Path(name) / full.relative_to(path)), in_folder=True))
        elif path.is_file():
            files.append(DiskFile(path, name))
        else:
            raise InputError(f"{name}: no such file or folder")
    return files


def iter_units(disk_file: DiskFile, requested: str, first_index: int) -> Iterator[Unit]:
    """The units of one disk file: itself, or each member of a zip archive."""
    name = disk_file.name
    lowered = name.lower()
    if lowered.endswith(".zip"):
        yield from _zip_units(disk_file, requested, first_index)
        return
    fmt = detect_format(name, requested)
    if fmt is None:
        supported = "not a supported format (.jsonl, .json, .csv, .tsv, .txt, or .gz/.zip of those)"
        yield Unit(first_index, name, "", "", None, error=f"{supported}; skipped" if disk_file.in_folder else supported)
        return

    def opener():
        handle = disk_file.open()
        if lowered.endswith(".gz"):
            return gunzip(handle)
        return handle

    yield Unit(first_index, name, "", fmt, opener)


def _zip_units(disk_file: DiskFile, requested: str, index: int) -> Iterator[Unit]:
    name = disk_file.name
    handle = disk_file.open()
    try:
        count = _zip_member_count(handle)
        if count is None:
            yield Unit(index, name, "", "", None, error="not a readable zip archive")
            return
        if count > limit("IMPORT_MAX_ZIP_MEMBERS"):
            yield Unit(
                index,
                name,
                "",
                "",
                None,
                error=f"the archive has {count:,} members, over the {limit('IMPORT_MAX_ZIP_MEMBERS'):,} limit; "
                "nothing was extracted",
            )
            return
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            yield Unit(index, name, "", "", None, error=f"not a readable zip archive: {error}")
            return
        members = [info for info in archive.infolist() if not info.is_dir()]
        expanded = sum(info.file_size for info in members)
        if expanded > limit("IMPORT_MAX_EXPANDED_BYTES"):
            yield Unit(
                index,
                name,
                "",
                "",
                None,
                error=f"the archive would expand to {expanded:,} bytes, over the "
                f"{limit('IMPORT_MAX_EXPANDED_BYTES'):,} byte limit; nothing was extracted",
            )
            return
        for info in members:
            member = info.filename
            base = PurePosixPath(member).name
            if base.startswith(".") or member.startswith("__MACOSX/"):
                continue
            if _unsafe_member_name(member):
                yield Unit(index, name, member, "", None, error="unsafe member name (absolute or with ..); refused")
                index += 1
                continue
            if member.lower().endswith(".zip"):
                yield Unit(index, name, member, "", None, error="archives inside archives are not read")
                index += 1
                continue
            fmt = detect_format(member, requested)
            if fmt is None:
                yield Unit(index, name, member, "", None, error="not a supported format; skipped")
                index += 1
                continue

            def opener(info=info):
                stream = archive.open(info)
                if info.filename.lower().endswith(".gz"):
                    return gunzip(stream)
                return Prefixed(stream, budget=limit("IMPORT_MAX_EXPANDED_BYTES"))

            yield Unit(index, name, member, fmt, opener)
            index += 1
    finally:
        handle.close()


def read_unit(unit: Unit) -> Iterator[Item]:
    """Items of one unit; a unit that breaks part-way ends with an error item and the rest is kept."""
    if unit.error:
        yield Item(index=0, error=unit.error)
        return
    index = 0
    try:
        stream = unit.open()
        try:
            max_bytes = limit("IMPORT_MAX_RECORD_BYTES")
            for item in read_unit_items(stream, unit.format, unit.member or unit.file, max_bytes):
                index = item.index + 1
                yield item
            cut_short = getattr(stream, "source_error", lambda: None)()
            if cut_short is not None:
                yield Item(index=index, error=f"the file could not be read past this point: {cut_short}")
        finally:
            stream_close = getattr(stream, "close", None)
            if stream_close:
                stream_close()
    except ExpansionLimit as error:
        yield Item(index=index, error=str(error))
    except (OSError, EOFError, zipfile.BadZipFile, gzip.BadGzipFile) as error:
        yield Item(index=index, error=f"the file could not be read past this point: {error}")
