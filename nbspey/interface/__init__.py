"""The public, spey-compatible interface: statistical models."""
