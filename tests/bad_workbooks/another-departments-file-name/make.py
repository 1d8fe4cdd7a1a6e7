from workbook_edit import renamed


def make(out):
    # 学校教育課 saved its workbook over the name of 子ども家庭課's.
    (out / "child_family-子ども家庭課.xlsx").unlink()
    return [renamed(out / "school_education-学校教育課.xlsx", "child_family-子ども家庭課.xlsx")]
