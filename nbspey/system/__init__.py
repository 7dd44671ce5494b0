"""System-level pieces shared by the whole package (exceptions)."""
