"""Reporting: tables printed for people and programs, and the report's plots.
May import the warehouse and the core."""
