"""Model files: opening them by model_type (in a process of its own when asked), fitting and
saving them, and Cloud Storage. May import features, the warehouse and the core."""
