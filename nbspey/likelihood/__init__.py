"""Compiled likelihood kernels, one module per family of models."""
