"""The project's settings, one module per concern; backoffice/settings.py imports them in order and is their table
of contents. A module takes what it needs from the ones before it by name, never by `import *`, and defines each
setting once (tests/backoffice/test_settings_layout.py)."""
