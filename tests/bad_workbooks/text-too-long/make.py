from workbook_edit import type_into


def make(out):
    return [type_into(out / "school_education-学校教育課.xlsx", "指標", "G1.1.i1/main", "備考", "長" * 10_001)]
