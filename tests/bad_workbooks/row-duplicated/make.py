from workbook_edit import edit


def duplicate(wb):
    ws = wb["事業"]
    last = ws.max_row
    for column in range(1, ws.max_column + 1):
        ws.cell(last + 1, column, ws.cell(3, column).value)


def make(out):
    return [edit(out / "community_hall-公民館.xlsx", duplicate)]
