"""The model registry: the models to run, registering, training, and the promotion gate with its
audit rows. May import the packages below it: evaluation, grading, ingest, models and theirs."""
