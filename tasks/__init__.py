"""shadowline's building blocks: plain, typed functions, and the Prefect tasks wrapping them."""
