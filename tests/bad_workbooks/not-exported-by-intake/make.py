from openpyxl import Workbook


def make(out):
    path = out / "自作の表.xlsx"
    wb = Workbook()
    wb.active["A1"] = "事業名"
    wb.save(path)
    return [path]
