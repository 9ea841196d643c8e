"""Invoice files: the PDF/OFD/XML the platform serves, kept once fetched, downloaded by staff, linked to customers,
attached to deliveries and zipped in batches."""
