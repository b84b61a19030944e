"""Tensors of torch, TensorFlow and JAX as numpy arrays, without importing those libraries.

``is_tensor(value)``: whether ``value``'s type comes from one of ``TENSOR_MODULES``.
``tensor_to_numpy(value)``: a torch tensor through ``.detach().cpu().numpy()``
(no copy for a tensor on the CPU), a TensorFlow eager tensor through
``.numpy()``, a JAX array through ``np.asarray``; ``None`` for a numpy array
or scalar and anything else that is not a tensor (callers take those as they are);
``as_numpy(value)`` is either, for any array-like.

This module does not import numpy until a tensor is converted: ``tidelog.media``
imports it, and ``import tidelog`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["TENSOR_MODULES", "is_tensor", "tensor_to_numpy", "as_numpy"]

#: Top-level packages whose values are tensors (``jaxlib`` holds JAX's array type).
TENSOR_MODULES = ("torch", "tensorflow", "jax", "jaxlib")


def is_tensor(value: Any) -> bool:
    """Whether ``value`` is a torch / TensorFlow / JAX value (by its type's module)."""
    return (type(value).__module__ or "").startswith(TENSOR_MODULES)


def tensor_to_numpy(value: Any) -> np.ndarray | None:
    """``value`` as a numpy array when it is a tensor (see module docstring), else ``None``."""
    import numpy as np

    if isinstance(value, (np.ndarray, np.generic)):
        return None
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # torch
        return value.detach().cpu().numpy()
    to_numpy = getattr(value, "numpy", None)
    if callable(to_numpy):  # TensorFlow eager tensors
        return np.asarray(to_numpy())
    if is_tensor(value):  # JAX arrays
        return np.asarray(value)
    return None


def as_numpy(value: Any) -> np.ndarray:
    """``value`` (a tensor, an array, a list ...) as a numpy array, through ``tensor_to_numpy`` for a tensor."""
    import numpy as np

    tensor = tensor_to_numpy(value)
    return np.asarray(value) if tensor is None else tensor
