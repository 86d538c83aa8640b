"""Grading: the results of predictions filled in from the box scores, one date or a range.
May import the warehouse and the core."""
