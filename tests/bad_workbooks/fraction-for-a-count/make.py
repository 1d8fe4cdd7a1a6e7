from workbook_edit import type_into


def make(out):
    path = out / "school_education-学校教育課.xlsx"
    type_into(path, "指標", "G1.1.i1/main", "実績値", 12.5)
    return [type_into(path, "指標", "G1.1.i1/main", "of", 45.5)]
