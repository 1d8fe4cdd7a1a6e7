from workbook_edit import renamed


def make(out):
    return [renamed(out / "school_education-学校教育課.xlsx", "school_education-学校教育課.xlsm")]
