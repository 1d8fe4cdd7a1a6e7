from workbook_edit import edit


def make(out):
    return [edit(out / "community_hall-公民館.xlsx", lambda wb: wb["事業"].delete_rows(4))]
