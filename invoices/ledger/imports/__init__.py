"""Imports too big to check while the browser waits: the file is stored, a task runs the dry run and then, once a
person confirms, the import, while a page shows rows read, valid and in error so far."""
