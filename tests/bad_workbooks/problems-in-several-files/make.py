from workbook_edit import type_into


def make(out):
    # Every problem of every file, in one run.
    a = type_into(out / "community_support_center-地域包括支援センター.xlsx", "指標", "G1.1.i3/main", "実績値", "8,900人")
    type_into(a, "指標", "G3.1.i2/main", "実績値", "abc")
    b = type_into(out / "crisis_management-危機管理課.xlsx", "指標", "G2.3.i1/main", "実績値", "７３．８％")
    return [a, b]
