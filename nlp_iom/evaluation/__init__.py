"""Scoring shared by the evaluators: text accuracy and field matching."""
