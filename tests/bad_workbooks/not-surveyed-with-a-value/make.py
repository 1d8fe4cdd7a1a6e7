from workbook_edit import type_into


def make(out):
    path = out / "community_support_center-地域包括支援センター.xlsx"
    type_into(path, "指標", "G1.1.i3/main", "実績値", 8900)
    return [type_into(path, "指標", "G1.1.i3/main", "調査のない年度", "対象外")]
