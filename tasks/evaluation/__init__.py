"""Evaluation: comparisons with their uncertainty, the daily monitor, and reading the comparison
views. May import features, reporting, the warehouse and the core."""
