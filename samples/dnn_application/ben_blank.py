"""The release handed in untouched: every answer cell still raises NotImplementedError."""

START_FROM = "release"
