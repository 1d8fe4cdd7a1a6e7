import os
import zipfile


def make(out):
    # 21 MB that do not compress (a photo pasted into the workbook, say).
    path = out / "school_education-学校教育課.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/media/image1.png", os.urandom(21_000_000))
    return [path]
