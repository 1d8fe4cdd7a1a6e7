from workbook_edit import edit


def make(out):
    return [edit(out / "school_education-学校教育課.xlsx", lambda wb: wb["_meta"].cell(3, 2, "finance"))]
