"""A real transformers Trainer run: a tiny BERT built from a config (random weights, no download),
random token data, 30 steps, evaluation every 10. It records what the Trainer logged
(``state.log_history``) and the config it reported, for the test to compare with the tidelog run.

    python hf_trainer.py wandb  OUT RECORD   # report_to=["wandb"]: run under `tidelog run`
    python hf_trainer.py native OUT RECORD   # tidelog.integration.transformers.TidelogCallback

The script never calls finish(): the run must finish when the process exits.
"""

import json
import sys

import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

mode, out, record = sys.argv[1], sys.argv[2], sys.argv[3]
torch.manual_seed(0)
model = BertForSequenceClassification(BertConfig(
    vocab_size=100, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
    max_position_embeddings=32, num_labels=2))


class RandomTokens(torch.utils.data.Dataset):
    def __init__(self, n: int, seed: int) -> None:
        g = torch.Generator().manual_seed(seed)
        self.x = torch.randint(0, 100, (n, 16), generator=g)
        self.y = torch.randint(0, 2, (n,), generator=g)

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> dict:
        return {"input_ids": self.x[i], "labels": self.y[i]}


callbacks = []
if mode == "native":
    from tidelog.integration.transformers import TidelogCallback

    callbacks.append(TidelogCallback(project="hf-native", dir=out))
args = TrainingArguments(
    output_dir=f"{out}/trainer", max_steps=30, per_device_train_batch_size=4, logging_steps=5,
    eval_strategy="steps", eval_steps=10, run_name="hf-tiny", save_strategy="no", use_cpu=True,
    report_to=["wandb"] if mode == "wandb" else "none", disable_tqdm=True)
trainer = Trainer(model=model, args=args, train_dataset=RandomTokens(120, 1), eval_dataset=RandomTokens(16, 2),
                  callbacks=callbacks)
# What the callbacks report, read when training begins (the forward pass later sets problem_type).
config = {**model.config.to_dict(), **args.to_dict(), "model/num_parameters": model.num_parameters()}
trainer.train()

import tidelog  # noqa: E402  (under `tidelog run`, `wandb` is this same module)

with open(record, "w") as f:
    json.dump({"run_id": tidelog.run.id, "run_dir": tidelog.run.dir, "log_history": trainer.state.log_history,
               "config": config}, f, default=str)
