"""Kept for AXES_CLIENT_IP_CALLABLE and older imports; the rule lives in the kernel."""
from core.client_address import client_ip  # noqa: F401
