from workbook_edit import type_into


def make(out):
    # A pasted value skips Excel's drop-down.
    path = out / "school_education-学校教育課.xlsx"
    type_into(path, "事業", "p001", "実施内容・実績", "実施した。")
    type_into(path, "事業", "p001", "課題・今後の方向性", "継続する。")
    return [type_into(path, "事業", "p001", "評価", "E")]
