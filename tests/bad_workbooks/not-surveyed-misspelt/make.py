from workbook_edit import type_into


def make(out):
    # Pasted, not chosen from the drop-down (a paste skips Excel's list validation).
    path = out / "community_support_center-地域包括支援センター.xlsx"
    return [type_into(path, "指標", "G1.1.i3/main", "調査のない年度", "調査なし")]
