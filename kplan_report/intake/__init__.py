"""What comes in from outside: the YAML reader, a new year's blank file, and (later) workbooks and drafts."""
