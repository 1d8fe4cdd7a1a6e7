"""The package around the document: parts, properties and a repeatable zip.

python-docx's template brings parts Word would not write (a thumbnail,
customXml, stylesWithEffects …) and fonts and properties of its own; they
are replaced or removed here.  The zip is written again with fixed
timestamps and a fixed order of entries, so that the same report gives the
same bytes.
"""


from __future__ import annotations

import datetime
import io
import zipfile

from docx.document import Document as DocxDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.opc.packuri import PackURI
from docx.oxml.ns import qn
from lxml import etree

from ...views.outline import Report
from .oxml import Controls, _el, baseline_hash, clean_text
from .styles import _FONT_TABLE

# ---------------------------------------------------------------- package clean-up

_APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Template>Normal.dotm</Template><TotalTime>0</TotalTime><Application>kplan-report</Application>"
    "<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><Company>{company}</Company>"
    "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    "<HyperlinksChanged>false</HyperlinksChanged><AppVersion>16.0000</AppVersion></Properties>"
)

# Relationships of python-docx's template that a document made in Word would not have:
# the template's thumbnail (a picture of an empty page), its customXml item and
# Word 2010's duplicate of the styles.
_DROP_RELS = (
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml",
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
)


def _clean_package(document: DocxDocument, report: Report) -> None:
    package = document.part.package
    for rels in (package.rels, document.part.rels):
        for rid in [rid for rid, rel in rels.items() if rel.reltype in _DROP_RELS]:
            del rels[rid]
    for part in package.iter_parts():
        name = str(part.partname)
        if name == "/docProps/app.xml":
            part._blob = _APP_XML.format(company=_xml_escape(clean_text(report.author))).encode()
        elif name == "/word/fontTable.xml":
            part._blob = _font_table(part.blob)

    settings = document.settings.element
    for tag in ("w:proofState", "w:savePreviewPicture", "w:rsids"):
        el = settings.find(qn(tag))
        if el is not None:
            settings.remove(el)
    for setting in settings.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")  # Word 2013+: no 互換モード banner
    # The template's sectPr carries rsids of its own editing sessions.
    sectpr = document.element.body.find(qn("w:sectPr"))
    for attr in list(sectpr.attrib):
        if "rsid" in attr:
            del sectpr.attrib[attr]


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _font_table(blob: bytes) -> bytes:
    fonts = etree.fromstring(blob)
    for name, alt, panose, family in _FONT_TABLE:
        font = _el("w:font", {"w:name": name})
        _el("w:altName", {"w:val": alt}, font)
        _el("w:panose1", {"w:val": panose}, font)
        _el("w:charset", {"w:val": "80"}, font)  # SHIFTJIS_CHARSET: a Japanese face
        _el("w:family", {"w:val": family}, font)
        _el("w:pitch", {"w:val": "fixed"}, font)
        fonts.append(font)
    return etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


_CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one format ID of user-defined properties

#: Custom properties holding a field's text-as-built are named this, then the field path.
BASELINE_PREFIX = "kplan.baseline."


def _custom_properties(document: DocxDocument, report: Report, controls: Controls) -> None:
    """docProps/custom.xml: the report's :attr:`~Report.properties` (year, status,
    fingerprints) and a short hash of each editable field's text as built.

    Word shows them under ファイル → 情報 → プロパティ → 詳細プロパティ → ユーザー設定,
    keeps them when the draft is saved, and so does LibreOffice.
    """
    values = dict(report.properties)
    values.update({BASELINE_PREFIX + tag: baseline_hash(text) for tag, text in controls.texts.items()})
    items = "".join(
        f'<property fmtid="{_CUSTOM_FMTID}" pid="{pid}" name="{_xml_escape(name)}">'
        f"<vt:lpwstr>{_xml_escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(values.items(), start=2)
    )
    blob = ("<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            f'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{items}</Properties>')
    package = document.part.package
    part = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, blob.encode(), package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)


#: A core property (title, author …) holds at most this many characters (python-docx
#: refuses more; Word's own dialog stops there too).
_PROPERTY_CHARS = 255


def _property(text: str) -> str:
    """``text`` as a core property: cleaned, and cut with … if longer than a property holds
    (three publishers' long names joined as the author); the document itself prints it whole."""
    text = clean_text(text)
    return text if len(text) <= _PROPERTY_CHARS else text[: _PROPERTY_CHARS - 1] + "…"


def _core_properties(document: DocxDocument, report: Report) -> None:
    moment = datetime.datetime.combine(report.report_date_iso, datetime.time(0, 0))
    cp = document.core_properties
    cp.title = _property(f"{report.title}{report.labels.draft}")
    cp.subject = _property(report.plan_title)
    cp.author = _property(report.author)
    cp.last_modified_by = _property(report.author)
    cp.keywords = "地域福祉計画; 進捗状況報告書"
    cp.category = "進捗状況報告書"
    cp.comments = _property(report.status_notice)
    cp.language = "ja-JP"
    cp.revision = 1
    cp.created = moment
    cp.modified = moment


# ---------------------------------------------------------------- repeatable zip

# [Content_Types].xml first (some readers sniff it), then the rest by name.
def _entry_order(name: str) -> tuple[int, str]:
    return (0 if name == "[Content_Types].xml" else 1, name)


#: The dates a zip entry can carry (MS-DOS time: 1980 to 2107).  The report date
#: lies within them (``validate`` keeps it within a few years after a fiscal year
#: of at most :data:`kplan_report.model.MAX_YEAR`); a date outside is stamped at the nearest end.
_ZIP_FIRST = datetime.date(1980, 1, 1)
_ZIP_LAST = datetime.date(2107, 12, 31)


def _repack(data: bytes, date: datetime.date) -> bytes:
    """The same package with fixed entry order, timestamps, permissions and compression."""
    date = min(max(date, _ZIP_FIRST), _ZIP_LAST)
    stamp = (date.year, date.month, date.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in sorted(src.namelist(), key=_entry_order):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            dst.writestr(info, src.read(name), compresslevel=6)
    return out.getvalue()
