"""Admin screens of the kernel: the job list (作业)."""
from core.jobs import admin as jobs_admin  # noqa: F401  registers JobAdmin
