"""The backend contract: model configuration and the backend base classes."""

from nbspey.base.model_config import ModelConfig

__all__ = ["ModelConfig"]
