from workbook_edit import type_into


def make(out):
    return [type_into(out / "community_support_center-地域包括支援センター.xlsx", "指標", "G1.1.i3/main", "実績値", "=8000+971")]
