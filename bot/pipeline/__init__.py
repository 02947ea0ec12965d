"""The answer path: text → normalize (text, tokens) → match (matcher, semantic) → decide (scope,
decide) → reply (engine, reply); conversations and follow-ups."""
