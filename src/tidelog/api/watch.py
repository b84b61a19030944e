"""``run.watch(models)``: W&B's gradient and parameter histograms of PyTorch models.

Like ``wandb.watch(models, criterion=None, log="gradients", log_freq=1000,
idx=None, log_graph=False)``: hooks on the models log, every ``log_freq``
batches, a 64-bin ``Histogram`` per parameter under ``gradients/<name>``
(``log="gradients"``, the default, or ``"all"``) and ``parameters/<name>``
(``"parameters"`` or ``"all"``), with ``commit=False``, so they join the
step the training loop logs next (as in W&B). ``log=None`` watches nothing.

* Gradients are counted per parameter, by a hook on its tensor that runs
  when its gradient is computed; parameters by a forward hook on the model.
* The histogram is computed with ``torch.histc`` where the tensor lives (a
  GPU tensor is not copied whole to the host) over its finite values; a
  tensor with none is skipped.
* Several models: names get the model's index (``gradients/1.fc.weight``)
  from the second model on, or from ``idx`` when given.
* ``log_graph`` and ``criterion`` are accepted; the graph is not drawn.
* ``unwatch(models)`` removes the hooks (all watched models when None);
  ``finish()`` leaves hooks in place but they stop logging.

Only this module imports torch, when ``watch`` is called with a model.
"""

from __future__ import annotations

from typing import Any

from tidelog.errors import UsageError

__all__ = ["watch", "unwatch"]

_LOG = {"gradients": (True, False), "parameters": (False, True), "all": (True, True), None: (False, False)}
_BINS = 64


def watch(run: Any, models: Any, criterion: Any = None, log: str | None = "gradients", log_freq: int = 1000,
          idx: int | None = None, log_graph: bool = False) -> None:
    if log not in _LOG:
        raise ValueError(f"tidelog.watch: log={log!r}; expected 'gradients', 'parameters', 'all' or None")
    if not isinstance(log_freq, int) or isinstance(log_freq, bool) or log_freq < 1:
        raise ValueError(f"tidelog.watch: log_freq={log_freq!r}; expected a positive whole number of batches")
    import torch

    models = list(models) if isinstance(models, (list, tuple)) else [models]
    for m in models:
        if not isinstance(m, torch.nn.Module):
            raise TypeError(f"tidelog.watch: expected torch.nn.Module models, got {type(m).__name__}")
    grads, params = _LOG[log]
    watched = run.__dict__.setdefault("_watched", {})
    for i, model in enumerate(models):
        if id(model) in watched:
            raise UsageError(f"tidelog.watch: model {i} ({type(model).__name__}) is watched already; "
                             "unwatch() it first")
        n = idx if idx is not None else i
        prefix = f"{n}." if (idx is not None or i) else ""
        watched[id(model)] = _hook(run, model, prefix, grads, params, log_freq)


def unwatch(run: Any, models: Any = None) -> None:
    watched = run.__dict__.get("_watched", {})
    if models is None:
        chosen = list(watched)
    else:
        chosen = [id(m) for m in (models if isinstance(models, (list, tuple)) else [models])]
    for key in chosen:
        for handle in watched.pop(key, []):
            handle.remove()


def _hook(run: Any, model: Any, prefix: str, grads: bool, params: bool, freq: int) -> list:
    handles = []
    named = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
    if grads:
        for name, p in named:
            handles.append(p.register_hook(_grad_hook(run, f"gradients/{prefix}{name}", freq)))
    if params:
        count = [0]

        def forward_hook(module: Any, inputs: Any, output: Any) -> None:
            count[0] += 1
            if count[0] % freq == 0 and not run.finished:
                run.log({f"parameters/{prefix}{name}": h for name, p in named
                         if (h := _histogram(p.detach())) is not None}, commit=False)

        handles.append(model.register_forward_hook(forward_hook))
    return handles


def _grad_hook(run: Any, key: str, freq: int) -> Any:
    count = [0]

    def hook(grad: Any) -> None:
        count[0] += 1
        if count[0] % freq == 0 and not run.finished:
            h = _histogram(grad.detach())
            if h is not None:
                run.log({key: h}, commit=False)

    return hook


def _histogram(tensor: Any) -> Any:
    """A 64-bin Histogram of the tensor's finite values, or None if it has none."""
    import torch

    from tidelog.media.histogram import Histogram

    t = tensor.float().flatten()
    t = t[torch.isfinite(t)]
    if t.numel() == 0:
        return None
    lo, hi = t.min().item(), t.max().item()
    if lo == hi:   # one value: a bin around it, as numpy does
        lo, hi = lo - 0.5, hi + 0.5
    counts = torch.histc(t, bins=_BINS, min=lo, max=hi)
    edges = torch.linspace(lo, hi, _BINS + 1)
    return Histogram(np_histogram=(counts.cpu().numpy(), edges.numpy()))
