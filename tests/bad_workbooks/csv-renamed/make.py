def make(out):
    path = out / "school_education-学校教育課.xlsx"
    path.write_text("ID,事業名,実施内容・実績\np001,福祉教育,実施した\n", encoding="utf-8")
    return [path]
