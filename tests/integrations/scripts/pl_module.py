"""A real Lightning module trained for 3 epochs, logging scalars, images (``log_image``), audio
(``log_audio``) and tables (``log_table``). Lightning's own ``CSVLogger`` runs beside the W&B/tidelog logger and
records every ``log_metrics`` call; the images and tables passed are recorded too, so the test
can compare the tidelog run with what the client logged.

    python pl_module.py wandb  OUT RECORD WORKERS   # Lightning's WandbLogger(offline=True), under `tidelog run`
    python pl_module.py native OUT RECORD WORKERS   # tidelog.integration.lightning.TidelogLogger

WORKERS > 0 gives the DataLoaders worker processes. The script never calls finish().
"""

import json
import sys

import lightning as L
import numpy as np
import torch
from lightning.pytorch.loggers import CSVLogger

mode, out, record, workers = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
torch.manual_seed(0)
logged: dict = {"images": [], "tables": [], "audio": []}


class Regressor(L.LightningModule):
    def __init__(self, lr: float = 0.05, hidden: int = 8) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = torch.nn.Sequential(torch.nn.Linear(4, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1))

    def training_step(self, batch, i):
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.net(x), y)
        self.log("train/loss", loss)
        return loss

    def validation_step(self, batch, i):
        x, y = batch
        self.log("val/loss", torch.nn.functional.mse_loss(self.net(x), y))

    def on_validation_epoch_end(self):
        if self.trainer.sanity_checking:
            return
        tracker = self.loggers[0]
        picture = np.full((8, 6, 3), 40 * self.current_epoch + 10, np.uint8)
        picture[0, :, 0] = 255
        tracker.log_image("samples", images=[picture], caption=[f"epoch {self.current_epoch}"],
                          step=self.global_step)
        logged["images"].append({"step": self.global_step, "pixels": picture.tolist(),
                                 "caption": f"epoch {self.current_epoch}"})
        tone = np.sin(np.linspace(0, 440 * 2 * np.pi, 800)).astype(np.float32) * 0.5
        tracker.log_audio("clip", audios=[tone], sample_rate=[8000], step=self.global_step)
        logged["audio"].append({"step": self.global_step, "samples": len(tone)})
        data = [[self.current_epoch, float(self.trainer.callback_metrics["val/loss"])]]
        tracker.log_table("preds", columns=["epoch", "val_loss"], data=data)  # no step: step_sync fills it
        logged["tables"].append({"step": self.global_step, "columns": ["epoch", "val_loss"], "data": data})

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


g = torch.Generator().manual_seed(1)
x = torch.randn(64, 4, generator=g)
y = x.sum(1, keepdim=True)


def loader():
    return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=8, num_workers=workers,
                                       persistent_workers=workers > 0)


if mode == "wandb":
    from lightning.pytorch.loggers import WandbLogger

    tracker = WandbLogger(project="pl", name="pl-tiny", offline=True, save_dir=out)
else:
    from tidelog.integration.lightning import TidelogLogger

    tracker = TidelogLogger(project="pl-native", name="pl-tiny", save_dir=out)
csv = CSVLogger(f"{out}/csv", name="", version="")
trainer = L.Trainer(max_epochs=3, logger=[tracker, csv], log_every_n_steps=2, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False, accelerator="cpu", devices=1)
trainer.fit(Regressor(), loader(), loader())
run = tracker.experiment
with open(record, "w") as f:
    json.dump({"run_id": run.id, "run_dir": run.dir, "csv": f"{csv.log_dir}/metrics.csv",
               "hparams": dict(trainer.lightning_module.hparams), "run_type": type(run).__module__, **logged}, f)
