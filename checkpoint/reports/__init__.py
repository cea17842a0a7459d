"""Shift and daily reports: figures from the log, and their renderers."""
