from workbook_edit import type_into


def make(out):
    return [type_into(out / "school_education-学校教育課.xlsx", "事業", "p001", "実施内容・実績", "全校で実施した。")]
