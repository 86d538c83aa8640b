"""Outside data in: loading CSV, Parquet or Arrow into the raw tables idempotently, and player
identity (one player_lookup whatever name a feed gives). May import the warehouse and the core."""
