"""The backend contract: model configuration and the backend base classes."""

from nbspey.base.backend_base import BackendBase, ConverterBase
from nbspey.base.model_config import ModelConfig

__all__ = ["BackendBase", "ConverterBase", "ModelConfig"]
