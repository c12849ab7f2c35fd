"""What a nuclei model's objects get wrong, by kind (README, "A boundary class").

    python3 bench/nuclei_misses.py SEGMENT_OUT_DIR LABELS_DIR

SEGMENT_OUT_DIR holds `npm run segment` output (NAME_labels.png, 16-bit object ids); LABELS_DIR the true
instance images (NAME.png). A true nucleus matches a predicted object at IoU > 0.5 (as evaluate's AP@0.5).
An unmatched one is "merged" when the predicted object covering at least half of it also covers at least
half of another nucleus, "split" when two or more objects each cover 15% of it, "missed" when nothing
covers half of it. An unmatched predicted object is "on background" when most of it is background, a
"merge" when it covers most of two nuclei, a "piece" when most of it lies in one nucleus. Needs NumPy and
Pillow; not a project dependency.
"""
import os
import sys

import numpy as np
from PIL import Image


def main(pred_dir: str, truth_dir: str) -> None:
    counts = dict(truth=0, matched=0, missed=0, merged=0, split=0, other=0, extra=0, piece=0, merge=0, background=0)
    areas: dict[str, list[int]] = {'matched': [], 'missed': [], 'merged': []}
    for name in sorted(os.listdir(pred_dir)):
        if not name.endswith('_labels.png'):
            continue
        stem = name[: -len('_labels.png')]
        pred = np.array(Image.open(os.path.join(pred_dir, name))).astype(np.int64)
        truth = np.array(Image.open(os.path.join(truth_dir, stem + '.png'))).astype(np.int64)
        nt, npred = int(truth.max()), int(pred.max())
        overlap = np.bincount((truth * (npred + 1) + pred).ravel(), minlength=(nt + 1) * (npred + 1)).reshape(nt + 1, npred + 1)
        t_area, p_area = overlap.sum(1), overlap.sum(0)
        inter = overlap[1:, 1:]
        union = t_area[1:, None] + p_area[None, 1:] - inter
        iou = np.where(union > 0, inter / np.maximum(union, 1), 0)
        t_hit, p_hit = (iou > 0.5).any(1), (iou > 0.5).any(0)
        for t in np.where(t_area[1:] > 0)[0]:
            counts['truth'] += 1
            if t_hit[t]:
                counts['matched'] += 1
                areas['matched'].append(int(t_area[t + 1]))
                continue
            cover = inter[t] / t_area[t + 1]
            best = int(cover.argmax()) if cover.size else 0
            if cover.size and cover[best] >= 0.5:
                others = inter[:, best] / np.maximum(t_area[1:], 1)
                others[t] = 0
                kind = 'merged' if (others >= 0.5).any() else 'other'
            elif (cover >= 0.15).sum() >= 2:
                kind = 'split'
            else:
                kind = 'missed'
            counts[kind] += 1
            if kind in areas:
                areas[kind].append(int(t_area[t + 1]))
        for p in np.where(p_area[1:] > 0)[0]:
            if p_hit[p]:
                continue
            counts['extra'] += 1
            column = inter[:, p]
            if overlap[0, p + 1] / p_area[p + 1] > 0.5:
                counts['background'] += 1
            elif (column / np.maximum(t_area[1:], 1) >= 0.5).sum() >= 2:
                counts['merge'] += 1
            else:
                counts['piece'] += 1
    print(counts)
    for kind, values in areas.items():
        if values:
            print(f'{kind}: {len(values)} nuclei, area (px) median {np.median(values):.0f}, quartiles {np.percentile(values, 25):.0f}-{np.percentile(values, 75):.0f}')


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
