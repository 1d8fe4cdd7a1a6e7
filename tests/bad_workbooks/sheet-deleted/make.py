from workbook_edit import edit


def make(out):
    return [edit(out / "community_hall-公民館.xlsx", lambda wb: wb.remove(wb["指標"]))]
