"""A tour of every example on W&B's ``wandb.log()`` reference page, run through tidelog.

The page (https://docs.wandb.ai/guides/track/log/; the project was seeded
from its Korean edition) is the contract of tidelog's API. This script logs
each of its examples in one run, in the page's order, written the way a W&B
user writes them (``import tidelog as wandb``): metrics, histograms (also ``np_histogram=`` and in the summary),
images with captions, segmentation masks and bounding boxes, audio, video,
text tables, HTML, a molecule, ``wandb.plot`` presets and a ``plot_table``
custom preset, a matplotlib chart, 3-D objects, point clouds and the lidar
scene, incremental logging, summary metrics (also after the fact through the
``Api``), ``run.history``, custom x-axes, PNG / JPEG / video files.

The small files the page opens (``some.html``, ``6lu7.pdb``, ``sample.obj``
...) are written to a temporary folder first. Where the page logs another
W&B type under a key used before (``examples`` is images, then audio, then a
table), it stays one key: the page groups all W&B types as one kind.

The page's last example logs ``"Examples"``, which differs from the
``"examples"`` logged earlier only by case. The page itself says two metric
names that differ only by case cannot coexist: tidelog refuses that key with a
warning and logs the rest of the call.

Run:  python examples/seed_tour.py [--dir ./tidelog-demo]

At the end it prints the run directory, its state, the number of history
rows, the summary keys and every media ``_type`` stored, read back through
``tidelog.Api``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import struct
import sys
import tempfile
from pathlib import Path

import numpy as np

import tidelog as wandb

RNG = np.random.default_rng(2024)


# --------------------------------------------------------------------------
# the small files the page opens


def _write_files(tmp: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    files["html"] = tmp / "some.html"
    files["html"].write_text(
        "<html><head><title>some</title></head><body><h1>Report</h1><p>tidelog seed tour</p></body></html>",
        encoding="utf-8",
    )
    # A tiny PDB: three atoms of a water molecule.
    files["pdb"] = tmp / "6lu7.pdb"
    files["pdb"].write_text(
        "HETATM    1  O   HOH A   1       0.000   0.000   0.000  1.00  0.00           O\n"
        "HETATM    2  H1  HOH A   1       0.957   0.000   0.000  1.00  0.00           H\n"
        "HETATM    3  H2  HOH A   1      -0.240   0.927   0.000  1.00  0.00           H\n"
        "CONECT    1    2    3\n"
        "END\n",
        encoding="ascii",
    )
    files["obj"] = tmp / "sample.obj"
    files["obj"].write_text("o tri\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n", encoding="ascii")
    # A one-triangle glTF with its buffer embedded as a data URI, and the same as a GLB.
    positions = struct.pack("<9f", 0, 0, 0, 1, 0, 0, 0, 1, 0)
    gltf = {
        "asset": {"version": "2.0"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}}]}],
        "buffers": [{"byteLength": len(positions)}],
        "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": len(positions)}],
        "accessors": [{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3",
                       "min": [0, 0, 0], "max": [1, 1, 0]}],
    }
    import base64

    embedded = json.loads(json.dumps(gltf))
    embedded["buffers"][0]["uri"] = "data:application/octet-stream;base64," + base64.b64encode(positions).decode()
    files["gltf"] = tmp / "sample.gltf"
    files["gltf"].write_text(json.dumps(embedded), encoding="utf-8")
    body = json.dumps(gltf, separators=(",", ":")).encode()
    body += b" " * (-len(body) % 4)
    binc = positions + b"\0" * (-len(positions) % 4)
    glb = b"".join([
        struct.pack("<III", 0x46546C67, 2, 12 + 8 + len(body) + 8 + len(binc)),
        struct.pack("<II", len(body), 0x4E4F534A), body,
        struct.pack("<II", len(binc), 0x004E4942), binc,
    ])
    files["glb"] = tmp / "sample.glb"
    files["glb"].write_bytes(glb)
    return files


def _have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


# --------------------------------------------------------------------------
# the tour, section by section in the page's order


def tour(base: Path, tmp: Path) -> tuple[str, str]:
    files = _write_files(tmp)
    args = {"epochs": 3, "lr": 1e-3}
    wandb.init(project="seed-tour", dir=str(base), config=args)
    run = wandb.run

    # wandb.log(dict): usage example
    wandb.log({'accuracy': 0.9, 'epoch': 5})

    # Histograms: a sequence (binned for you), np_histogram= in the summary, num_bins
    numpy_array_or_sequence = RNG.normal(size=10_000)
    data = RNG.normal(size=1000)
    wandb.log({"gradients": wandb.Histogram(numpy_array_or_sequence)})
    wandb.run.summary.update({"gradients": wandb.Histogram(np_histogram=np.histogram(data))})
    wandb.log({"gradients_fine": wandb.Histogram(numpy_array_or_sequence, num_bins=512)})

    # Images: numpy array or PIL image with a caption
    from PIL import Image as PILImage

    numpy_array = RNG.integers(0, 256, (32, 48, 3), dtype=np.uint8)
    pil = PILImage.fromarray(RNG.integers(0, 256, (32, 48), dtype=np.uint8))
    wandb.log({"examples": [wandb.Image(numpy_array, caption="Label"), wandb.Image(pil, caption="Label")]})

    # Segmentation masks
    image = RNG.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    mask_data = np.ones((20, 30), dtype=np.uint8)
    mask_data[:, 1:-1] = 2
    mask_data[15:] = 3
    class_labels = {1: "tree", 2: "car", 3: "road"}
    mask_img = wandb.Image(image, masks={
        "predictions": {"mask_data": mask_data, "class_labels": class_labels},
        "groud_truth": {"mask_data": np.roll(mask_data, 2, axis=1), "class_labels": class_labels},
    })
    wandb.log({"segmentation": mask_img})

    # Bounding boxes: minMax and middle/width/height positions, percentage and pixel domains
    class_id_to_label = {1: "car", 2: "road", 3: "building"}
    img = wandb.Image(image, boxes={
        "predictions": {
            "box_data": [
                {
                    "position": {"minX": 0.1, "maxX": 0.2, "minY": 0.3, "maxY": 0.4},
                    "class_id": 2,
                    "box_caption": "minMax(pixel)",
                    "scores": {"acc": 0.1, "loss": 1.2},
                },
                {
                    "position": {"middle": [0.5, 0.5], "width": 0.2, "height": 0.4},
                    "class_id": 1,
                    "box_caption": "middle/width/height",
                    "scores": {"acc": 0.7},
                },
            ],
            "class_labels": class_id_to_label,
        },
        "ground_truth": {
            "box_data": [
                {"position": {"minX": 3, "maxX": 9, "minY": 6, "maxY": 12}, "domain": "pixel", "class_id": 3},
                {"position": {"middle": [15, 10], "width": 6, "height": 4}, "domain": "pixel", "class_id": 1},
            ],
            # no class_labels: class_0, class_1, ... are made up, as W&B does
        },
    })
    wandb.log({"driving_scene": img})

    # Audio
    t = np.arange(32 * 2) / 32
    numpy_array = np.sin(2 * np.pi * 4 * t).astype(np.float32)
    wandb.log({"examples": [wandb.Audio(numpy_array, caption="Nice", sample_rate=32)]})

    # Video: an array (time, channels, height, width) as gif; mp4 when imageio-ffmpeg is there
    numpy_array_or_path_to_video = RNG.integers(0, 256, (8, 3, 32, 32), dtype=np.uint8)
    wandb.log({"video": wandb.Video(numpy_array_or_path_to_video, fps=4, format="gif")})
    if _have("imageio_ffmpeg"):
        wandb.log({"video_mp4": wandb.Video(numpy_array_or_path_to_video, fps=4, format="mp4")})

    # Text tables: method 1, method 2, a DataFrame
    data = [["I love my phone", "1", "1"], ["My phone sucks", "0", "-1"]]
    wandb.log({"examples": wandb.Table(data=data, columns=["Text", "Predicted Label", "True Label"])})

    table = wandb.Table(columns=["Text", "Predicted Label", "True Label"])
    table.add_data("I love my phone", "1", "1")
    table.add_data("My phone sucks", "0", "-1")
    wandb.log({"examples": table})
    if _have("pandas"):
        import pandas as pd

        my_dataframe = pd.DataFrame({"text": ["a", "b", "c"], "score": [0.1, 0.5, 0.9], "ok": [True, False, True]})
        table = wandb.Table(dataframe=my_dataframe)
        wandb.log({"dataframe_table": table})

    # HTML: a file, a string, a file without the default style
    cwd = os.getcwd()
    os.chdir(tmp)  # the page opens files by their bare names
    try:
        with open("some.html") as f:
            wandb.log({"custom_file": wandb.Html(f)})
        wandb.log({"custom_string": wandb.Html('<a href="https://mysite">Link</a>')})
        with open("some.html") as f:
            wandb.log({"custom_file": wandb.Html(f, inject=False)})

        # Molecule
        with open("6lu7.pdb") as f:
            wandb.log({"protein": wandb.Molecule(f)})
    finally:
        os.chdir(cwd)

    # Custom charts: line, scatter, bar, histogram, PR curve, ROC curve
    x_values = np.linspace(0, 1, 20)
    y_values = x_values ** 2
    data = [[x, y] for (x, y) in zip(x_values, y_values)]
    table = wandb.Table(data=data, columns=["x", "y"])
    wandb.log({"my_custom_plot_id": wandb.plot.line(table, "x", "y", title="Custom Y vs X Line Plot")})

    class_x_prediction_scores = RNG.random(30)
    class_y_prediction_scores = RNG.random(30)
    data = [[x, y] for (x, y) in zip(class_x_prediction_scores, class_y_prediction_scores)]
    table = wandb.Table(data=data, columns=["class_x", "class_y"])
    wandb.log({"my_custom_id": wandb.plot.scatter(table, "class_x", "class_y")})

    labels, values = ["cat", "dog", "bird"], [3, 5, 2]
    data = [[label, val] for (label, val) in zip(labels, values)]
    table = wandb.Table(data=data, columns=["label", "value"])
    wandb.log({"my_bar_chart_id": wandb.plot.bar(table, "label", "value", title="Custom Bar Chart")})

    scores = RNG.random(100)
    data = [[s] for s in scores]
    table = wandb.Table(data=data, columns=["scores"])
    wandb.log({'my_histogram': wandb.plot.histogram(table, "scores", title=None)})

    ground_truth = RNG.integers(0, 3, 60)
    predictions = RNG.dirichlet(np.ones(3), 60)
    wandb.log({"pr": wandb.plot.pr_curve(ground_truth, predictions,
                                         labels=None, classes_to_plot=None)})
    wandb.log({"roc": wandb.plot.roc_curve(ground_truth, predictions,
                                           labels=None, classes_to_plot=None)})

    # Custom presets: a table mapped onto a saved chart's fields (the page builds it; we log it)
    data = [[step, 1.5 + 0.1 * step] for step in range(10)]
    table = wandb.Table(data=data, columns=["step", "height"])
    fields = {"x": "step", "value": "height"}
    my_custom_chart = wandb.plot_table(vega_spec_name="carey/new_chart", data_table=table, fields=fields)
    wandb.log({"my_custom_chart": my_custom_chart})

    # Matplotlib
    if _have("matplotlib"):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        plt.plot([1, 2, 3, 4])
        plt.ylabel('some interesting numbers')
        wandb.log({"chart": plt})
        plt.close("all")

    # 3-D objects: obj, gltf, glb files opened the way the page opens them
    with open(files["obj"]) as obj, open(files["gltf"]) as gltf, open(files["glb"]) as glb:
        wandb.log({"generated_samples": [wandb.Object3D(obj), wandb.Object3D(gltf), wandb.Object3D(glb)]})

    # Point clouds: n x 3, n x 4 (category 1..14), n x 6 (r, g, b 0..255)
    xyz = RNG.normal(size=(200, 3))
    wandb.log({"point_cloud": wandb.Object3D(xyz)})
    wandb.log({"point_cloud_categories": wandb.Object3D(np.c_[xyz, RNG.integers(1, 15, 200)])})
    wandb.log({"point_cloud_colors": wandb.Object3D(np.c_[xyz, RNG.integers(0, 256, (200, 3))])})

    # The lidar scene, exactly as the page writes it
    wandb.log(
        {
            "point_scene": wandb.Object3D(
                {
                    "type": "lidar/beta",
                    "points": np.array(
                        [
                            [0.4, 1, 1.3],
                            [1, 1, 1],
                            [1.2, 1, 1.2]
                        ]
                    ),
                    "boxes": np.array(
                        [
                            {
                                "corners": [
                                    [0, 0, 0],
                                    [0, 1, 0],
                                    [0, 0, 1],
                                    [1, 0, 0],
                                    [1, 1, 0],
                                    [0, 1, 1],
                                    [1, 0, 1],
                                    [1, 1, 1]
                                ],
                                "label": "Box",
                                "color": [123, 321, 111],
                            },
                            {
                                "corners": [
                                    [0, 0, 0],
                                    [0, 2, 0],
                                    [0, 0, 2],
                                    [2, 0, 0],
                                    [2, 2, 0],
                                    [0, 2, 2],
                                    [2, 0, 2],
                                    [2, 2, 2]
                                ],
                                "label": "Box-2",
                                "color": [111, 321, 0],
                            }
                        ]
                    ),
                    "vectors": [
                        {"start": [0, 0, 0], "end": [0.1, 0.2, 0.5]}
                    ]
                }
            )
        }
    )

    # Incremental logging: step= (the current or the next step), commit=False
    step = run.step
    wandb.log({'loss': 0.2}, step=step)
    wandb.log({'accuracy': 0.85}, step=step)
    wandb.log({'loss': 0.2}, commit=False)
    # Somewhere else when I'm ready to report this step:
    wandb.log({'accuracy': 0.8})

    # Summary metrics
    best_accuracy = 0
    for epoch, test_accuracy in enumerate([0.7, 0.9, 0.85], start=1):
        if test_accuracy > best_accuracy:
            wandb.run.summary["best_accuracy"] = test_accuracy
            best_accuracy = test_accuracy

    # Direct access to the history: run.history.row, run.history.add
    run.history.row["direct_metric"] = 1.0
    run.history.add({"direct_other": 2.0})

    # TensorFlow and PyTorch examples (losses simulated here)
    for s in range(1, 4):
        acc, loss = 0.5 + 0.1 * s, 1.0 / s
        wandb.log({'acc': acc, 'loss': loss})  # log accuracy and loss
    for epoch in range(1, args["epochs"] + 1):
        train_loss, test_loss = 1.0 / epoch, 1.2 / epoch
        wandb.log({"loss": train_loss, "val_loss": test_loss})

    # Common questions: images across epochs, batch logging
    for epoch in range(3):
        wandb.log({'epoch': epoch, 'val_acc': 0.94})
    wandb.log({'batch': 1, 'loss': 0.3})

    # PNG logging (one, or several)
    images = [RNG.integers(0, 256, (16, 16, 3), dtype=np.uint8) for _ in range(3)]
    wandb.log({"example": wandb.Image(images[0])})
    wandb.log({"example": [wandb.Image(img) for img in images]})

    # JPEG logging: save a file, log its path
    im = PILImage.fromarray(RNG.integers(0, 256, (24, 24, 3), dtype=np.uint8))
    rgb_im = im.convert('RGB')
    jpg = tmp / 'myimage.jpg'
    rgb_im.save(jpg)
    wandb.log({"jpeg_example": wandb.Image(str(jpg))})

    # Video logging from a file
    if _have("imageio_ffmpeg"):
        import imageio_ffmpeg

        video_path = tmp / "myvideo.mp4"
        writer = imageio_ffmpeg.write_frames(str(video_path), (32, 32), fps=4, macro_block_size=1,
                                             ffmpeg_log_level="error")
        writer.send(None)
        for i in range(8):
            writer.send(np.full((32, 32, 3), i * 30, dtype=np.uint8))
        writer.close()
    else:
        from PIL import Image as PILImage2

        video_path = tmp / "myvideo.gif"
        frames = [PILImage2.fromarray(np.full((32, 32, 3), i * 30, dtype=np.uint8)) for i in range(8)]
        frames[0].save(video_path, save_all=True, append_images=frames[1:], duration=250, loop=0)
    wandb.log({"video_file": wandb.Video(str(video_path))})

    # Custom x-axis: a step counter of your own; "batch" next to the default step axis
    wandb.log({"acc": 1, "global_step": 1})
    epoch = run.step
    wandb.log({"acc": 1, "batch": 10}, step=epoch)

    # Controlling image uploads: the page's last example, as written. Its "Examples" differs
    # from the "examples" logged above only by case; the page says such names cannot coexist,
    # so tidelog refuses that one key with a warning and logs the rest of the call.
    example_images = [wandb.Image(RNG.integers(0, 256, (28, 28), dtype=np.uint8), caption=f"digit {i}")
                      for i in range(4)]
    correct, n_test, test_loss = 97, 100, 0.08
    wandb.log({"Examples": example_images, "Test Accuracy": 100. * correct / n_test, "Test Loss": test_loss})

    run_id, run_dir = run.id, run.dir
    wandb.finish()

    # After the fact: a finished run's summary, changed through the Api (arrays kept whole)
    api = wandb.Api(dir=str(base))
    done = api.run(f"seed-tour/{run_id}")
    done.summary["tensor"] = np.random.random(1000)
    done.summary.update()
    return run_id, run_dir


# --------------------------------------------------------------------------
# what landed, read back


def media_types(value, found: set[str]) -> None:
    """Every ``_type`` in a stored value, nested ones too (masks, boxes, list items)."""
    if isinstance(value, dict):
        if isinstance(value.get("_type"), str):
            found.add(value["_type"])
        for v in value.values():
            media_types(v, found)
    elif isinstance(value, list):
        for v in value:
            media_types(v, found)


def report(base: Path, run_id: str) -> dict:
    r = wandb.Api(dir=str(base)).run(f"seed-tour/{run_id}")
    rows = list(r.scan_history())
    types: set[str] = set()
    for row in rows:
        media_types(row, types)
    media_types(dict(r.summary), types)
    return {"dir": r.dir, "state": r.state, "rows": len(rows), "summary_keys": sorted(r.summary),
            "types": sorted(types)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default="./tidelog-demo", help="where runs are written (default ./tidelog-demo)")
    ap.add_argument("--json", action="store_true", help="print the read-back report as one JSON line too")
    args = ap.parse_args(argv)
    base = Path(args.dir).resolve()
    with tempfile.TemporaryDirectory(prefix="seed-tour-") as tmp:
        run_id, _ = tour(base, Path(tmp))
    out = report(base, run_id)
    print(f"run directory: {out['dir']}")
    print(f"state: {out['state']}")
    print(f"history rows: {out['rows']}")
    print(f"summary keys: {', '.join(out['summary_keys'])}")
    print(f"media types: {', '.join(out['types'])}")
    if args.json:
        print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
