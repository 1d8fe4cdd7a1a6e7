from workbook_edit import edit


def make(out):
    # As if last year's workbook were returned again.
    return [edit(out / "school_education-学校教育課.xlsx", lambda wb: wb["_meta"].cell(2, 2, "2022"))]
