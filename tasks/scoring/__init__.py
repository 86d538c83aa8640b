"""Scoring: the Ray actors that each hold one model, the pool that sends them a batch in chunks,
and the prediction rows and run log. May import evaluation, grading, ingest, models and theirs."""
