import zipfile


def make(out):
    path = out / "school_education-学校教育課.xlsx"
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really a VBA project")
    return [path]
