"""Writers: each lays the outline out in one format (pdf, docx, ...)."""
