"""The core every package stands on: the errors people read, the one settings object, each
value's domain, the line cutoff, and the reaper that stops what a command started. Imports nothing
outside itself."""
