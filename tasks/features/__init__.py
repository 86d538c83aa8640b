"""Features: the feature sets (what a model expects, what the actors import), the point-in-time
feature store, a game date's slate and the feeds' timing. May import the warehouse and the core."""
