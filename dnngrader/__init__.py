"""The course kit's grading code: hidden checks, the judge, and nbgrader preprocessors."""
