"""Curator tools: check, eval, misses, and the unanswered-question log they read."""
