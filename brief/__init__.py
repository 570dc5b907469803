"""Shared code for the Ottawa Convention withdrawals brief: data, charts, citations, build."""

__version__ = "0.1.0"
