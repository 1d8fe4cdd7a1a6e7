"""Checks on a returned file before openpyxl opens it.

A returned "workbook" comes from outside the program: it may be a CSV
saved with the wrong extension, an old .xls, a password-protected file
(an OLE container, not a zip), a macro-enabled workbook, or a zip made to
expand to gigabytes.  Each is refused here, from the zip's directory
alone, before anything is decompressed.  The declared sizes are what
bounds decompression: Python's zipfile never inflates a member beyond the
size its header declares (it stops and checks the CRC), so limiting the
declared sizes limits the work.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

MAX_FILE_BYTES = 20_000_000  # compressed, as returned; the exported workbooks are ~20-60 kB
MAX_UNCOMPRESSED_BYTES = 100_000_000  # all members together
MAX_MEMBER_BYTES = 50_000_000
MAX_MEMBERS = 1_000
MAX_RATIO = 100  # uncompressed / compressed, for members above RATIO_FLOOR bytes
RATIO_FLOOR = 1_000_000

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def refusal(path: Path) -> tuple[str, str] | None:
    """``(found, expected)`` when ``path`` must not be opened as a workbook, else ``None``."""
    suffix = path.suffix.lower()
    if suffix in (".xlsm", ".xltm", ".xlam"):
        return f"a macro-enabled workbook ({suffix})", "an Excel workbook saved as .xlsx, without macros（マクロを含まない .xlsx 形式で保存してください）"
    if suffix != ".xlsx":
        return f"a file named {suffix or 'without an extension'}", "the .xlsx workbook as it was sent（送付した .xlsx ファイルを提出してください）"
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as error:
        return f"a file that cannot be read ({error.strerror})", "a readable file（ファイルを読み込めません）"
    if size > MAX_FILE_BYTES:
        return f"a file of {size:,} bytes", f"at most {MAX_FILE_BYTES:,} bytes（ファイルが大きすぎます）"
    if head == _OLE:
        return (
            "an old-format (.xls) or password-protected workbook",
            "an .xlsx workbook without a file password（.xlsx 形式で，読み取りパスワードなしで保存してください）",
        )
    if not zipfile.is_zipfile(path):
        return "a file that is not an Excel workbook (perhaps CSV or text renamed .xlsx)", "the .xlsx workbook as it was sent（Excel ブック形式ではありません）"
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        return f"a damaged workbook ({error})", "the .xlsx workbook as it was sent（ファイルが壊れています）"
    if len(members) > MAX_MEMBERS:
        return f"a workbook of {len(members):,} parts", f"at most {MAX_MEMBERS:,}（ファイルの構成が不正です）"
    names = {member.filename for member in members}
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        return f"a workbook that expands to {total:,} bytes", f"at most {MAX_UNCOMPRESSED_BYTES:,} bytes in all（圧縮爆弾の疑いがあります）"
    for member in members:
        if member.file_size > MAX_MEMBER_BYTES:
            return f"a part '{member.filename}' that expands to {member.file_size:,} bytes", f"parts of at most {MAX_MEMBER_BYTES:,} bytes（圧縮爆弾の疑いがあります）"
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            ratio = member.file_size // max(member.compress_size, 1)
            return f"a part '{member.filename}' compressed {ratio:,} to 1", f"a compression ratio of at most {MAX_RATIO} to 1（圧縮爆弾の疑いがあります）"
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return "a workbook with macros (vbaProject.bin)", "an Excel workbook saved as .xlsx, without macros（マクロを含まない .xlsx 形式で保存してください）"
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        return "a zip file that is not an Excel workbook", "the .xlsx workbook as it was sent（Excel ブック形式ではありません）"
    return None
