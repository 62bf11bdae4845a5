"""A complete, correct submission: every answer cell holds the instructor's solution."""
