"""Reading and validating data: config.yaml (config, schema), knowledge/*.yaml (knowledge), YAML
with line numbers (yamlio)."""
