def make(out):
    # Saved with a password to open (or as .xls): an OLE compound file, not a zip.
    path = out / "school_education-学校教育課.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088))
    return [path]
