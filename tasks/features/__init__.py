"""Features: the feature sets (what a model expects, what the actors import), the point-in-time
feature store and a game date's slate. May import the warehouse and the core."""
