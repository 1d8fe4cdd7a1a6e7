def make(out):
    path = out / "school_education-学校教育課.xlsx"
    return [path, path]
