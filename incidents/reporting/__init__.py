"""Management reporting: the periods reports cover, business-hours durations, the figures (metrics.py) the
dashboard and the periodic report (report_files.py) both show, so the two never disagree."""
