"""A real Lightning module trained with ``strategy="ddp_spawn"`` on 2 CPU processes (gloo), logging through
Lightning's own ``WandbLogger(offline=True)`` under ``tidelog run``: the logger's run is created in this process
and the spawned workers attach to it (``wandb._attach``). Lightning's ``CSVLogger`` records every
``log_metrics`` call beside it.

    python pl_ddp_spawn.py OUT RECORD
"""

import json
import sys

import lightning as L
import torch
from lightning.pytorch.loggers import CSVLogger, WandbLogger

out, record = sys.argv[1], sys.argv[2]


class Regressor(L.LightningModule):
    def __init__(self, lr: float = 0.05) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = torch.nn.Linear(4, 1)

    def training_step(self, batch, i):
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.net(x), y)
        self.log("train/loss", loss)
        return loss

    def on_train_epoch_end(self):
        if self.global_rank == 0:
            self.loggers[0].experiment.summary["last_epoch"] = self.current_epoch   # an attached run's summary

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


if __name__ == "__main__":   # the spawned workers import this file
    g = torch.Generator().manual_seed(1)
    x = torch.randn(64, 4, generator=g)
    y = x.sum(1, keepdim=True)
    data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=8)
    tracker = WandbLogger(project="pl-spawn", name="ddp-spawn", offline=True, save_dir=out)
    csv = CSVLogger(f"{out}/csv", name="", version="")
    trainer = L.Trainer(max_epochs=2, logger=[tracker, csv], log_every_n_steps=1, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, accelerator="cpu", devices=2,
                        strategy="ddp_spawn")
    trainer.fit(Regressor(), data)
    run = tracker.experiment
    with open(record, "w") as f:
        json.dump({"run_id": run.id, "csv": f"{csv.log_dir}/metrics.csv", "pid_run_type": type(run).__name__}, f)
