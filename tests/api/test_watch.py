"""``run.watch(model)``: W&B's gradient and parameter histograms, every ``log_freq`` batches, in the step
the loop logs next; ``unwatch`` stops them."""

from __future__ import annotations

import pytest

import tidelog

torch = pytest.importorskip("torch", reason="torch is not installed (pip install -e '.[integrations]')")


def _train(run, model, batches: int, seen: dict | None = None) -> None:
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    g = torch.Generator().manual_seed(0)
    for i in range(batches):
        loss = model(torch.randn(8, 4, generator=g)).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        if seen is not None:
            seen[i] = {n: p.grad.clone() for n, p in model.named_parameters()}
        opt.step()
        run.log({"loss": loss.item()})


def _model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))


def test_gradients_and_parameters_every_log_freq_batches(start, read_back):
    run = start()
    model = _model()
    run.watch(model, log="all", log_freq=5)
    seen: dict = {}
    _train(run, model, 12, seen)
    run.finish()
    rows = {r["_step"]: r for r in read_back(run).scan_history()}
    names = [n for n, _ in model.named_parameters()]
    for step in range(12):
        has = {k for k in rows[step] if k.startswith(("gradients/", "parameters/"))}
        want = {f"{kind}/{n}" for kind in ("gradients", "parameters") for n in names} if step in (4, 9) else set()
        assert has == want, step
    for n, p in model.named_parameters():
        h = rows[9][f"gradients/{n}"]
        grad = seen[9][n]
        assert h["_type"] == "histogram" and len(h["values"]) == 64 and len(h["bins"]) == 65
        assert sum(h["values"]) == grad.numel()
        lo, hi = grad.min().item(), grad.max().item()
        if lo < hi:
            assert (h["bins"][0], h["bins"][-1]) == pytest.approx((lo, hi))
        else:   # one value (the last layer's bias): a bin of width 1 around it
            assert (h["bins"][0], h["bins"][-1]) == pytest.approx((lo - 0.5, hi + 0.5))
        assert sum(rows[4][f"parameters/{n}"]["values"]) == p.numel()
    assert [rows[s]["loss"] for s in range(12)] == pytest.approx([r["loss"] for r in read_back(run).scan_history()])


def test_unwatch_stops_the_histograms_and_bad_arguments_are_named(start, read_back):
    run = start()
    model = _model()
    with pytest.raises(ValueError, match="log='weights'"):
        run.watch(model, log="weights")
    with pytest.raises(ValueError, match="log_freq=0"):
        run.watch(model, log_freq=0)
    with pytest.raises(TypeError, match="torch.nn.Module"):
        run.watch(object())
    tidelog.watch(model, log_freq=2)   # the module-level call, W&B's wandb.watch
    _train(run, model, 4)
    tidelog.unwatch(model)
    _train(run, model, 4)
    run.finish()
    rows = list(read_back(run).scan_history())
    assert [r["_step"] for r in rows if any(k.startswith("gradients/") for k in r)] == [1, 3]
    assert not any(k.startswith("parameters/") for r in rows for k in r)   # log="gradients" is the default
