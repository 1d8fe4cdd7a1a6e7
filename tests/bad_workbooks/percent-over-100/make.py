from workbook_edit import type_into


def make(out):
    return [type_into(out / "crisis_management-危機管理課.xlsx", "指標", "G2.3.i1/main", "実績値", 120)]
