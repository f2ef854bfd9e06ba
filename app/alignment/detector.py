"""BlazeFace short-range face detection (MediaPipe's `face_detection_short_range.tflite`).

The model sees a 128×128 RGB square in [-1, 1] (the photo letterboxed, so faces keep their
shape) and regresses, for each of 896 fixed anchors, a box and six keypoints relative to the
anchor plus a score logit. The anchors are not in the file: they are MediaPipe's SSD anchor
configuration for this model (strides 8, 16, 16, 16; fixed size; 2 anchors per cell on the
16×16 grid, 6 per cell on the 8×8 grid), rebuilt here. Overlapping detections are merged by
MediaPipe's weighted non-maximum suppression.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

INPUT = 128
STRIDES = (8, 16, 16, 16)
MIN_SCORE = 0.5  # MediaPipe's own threshold for this model
NMS_IOU = 0.3

# Keypoint order of the model (the patient's own right and left).
RIGHT_EYE, LEFT_EYE, NOSE_TIP, MOUTH, RIGHT_EAR, LEFT_EAR = range(6)


@dataclass(frozen=True, slots=True)
class Detection:
    """A face in image pixels: box (x0, y0, x1, y1), six keypoints (6×2), score 0..1."""

    box: tuple[float, float, float, float]
    keypoints: np.ndarray
    score: float

    @property
    def size(self) -> float:
        return float(max(self.box[2] - self.box[0], self.box[3] - self.box[1]))


def make_anchors() -> np.ndarray:
    """(896, 2) anchor centres in [0, 1]: consecutive layers of equal stride share a grid, so
    stride 8 gives 2 anchors per cell and the three stride-16 layers 6 per cell."""
    anchors: list[tuple[float, float]] = []
    layer = 0
    while layer < len(STRIDES):
        stride = STRIDES[layer]
        per_cell = 0
        while layer < len(STRIDES) and STRIDES[layer] == stride:
            per_cell += 2  # aspect ratio 1 plus the interpolated scale
            layer += 1
        cells = INPUT // stride
        for y in range(cells):
            for x in range(cells):
                anchors += [((x + 0.5) / cells, (y + 0.5) / cells)] * per_cell
    return np.asarray(anchors, dtype=np.float32)


ANCHORS = make_anchors()
assert len(ANCHORS) == 896


def _letterbox(rgb: np.ndarray) -> tuple[np.ndarray, float, float, float]:
    """The image centred on a black square, resized to 128: (square, scale, pad_x, pad_y) with
    image = square_pixel * scale - pad."""
    h, w = rgb.shape[:2]
    # Shrink with area averaging: a 1000-px photo straight to 128 px by sampling would alias.
    scale = max(h, w) / INPUT
    nw, nh = max(1, round(w / scale)), max(1, round(h / scale))
    small = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA)
    square = np.zeros((INPUT, INPUT, 3), np.uint8)
    ox, oy = (INPUT - nw) // 2, (INPUT - nh) // 2
    square[oy : oy + nh, ox : ox + nw] = small
    # Exact mapping of the pasted block back to the image.
    sx, sy = w / nw, h / nh
    return square, (sx + sy) / 2, ox * sx, oy * sy


def _iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    x0 = np.maximum(box[0], boxes[:, 0])
    y0 = np.maximum(box[1], boxes[:, 1])
    x1 = np.minimum(box[2], boxes[:, 2])
    y1 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    iou: np.ndarray = inter / np.maximum(area + areas - inter, 1e-9)
    return iou


def _weighted_nms(
    boxes: np.ndarray, kps: np.ndarray, scores: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """MediaPipe's weighted NMS: each cluster of overlapping boxes becomes their score-weighted
    mean, with the best score of the cluster."""
    order = np.argsort(-scores)
    remaining = list(order)
    merged: list[tuple[np.ndarray, np.ndarray, float]] = []
    while remaining:
        top = remaining[0]
        idx = np.asarray(remaining)
        overlap = _iou(boxes[top], boxes[idx]) > NMS_IOU
        cluster = idx[overlap]
        w = scores[cluster][:, None]
        box = (boxes[cluster] * w).sum(0) / w.sum()
        kp = (kps[cluster] * w[:, :, None]).sum(0) / w.sum()
        merged.append((box, kp, float(scores[top])))
        remaining = [i for i, o in zip(remaining, overlap, strict=True) if not o]
    return merged


def detect_faces(
    net: cv2.dnn.Net, rgb: np.ndarray, min_score: float = MIN_SCORE
) -> list[Detection]:
    """Faces in an RGB uint8 array, largest first, in that array's pixels.

    The short-range model wants a face at least ~1/6 of the frame; on the whole (letterboxed)
    frame a small face may be missed, so `detect_faces_tiled` also looks at tiles."""
    square, scale, pad_x, pad_y = _letterbox(rgb)
    blob = cv2.dnn.blobFromImage(square, 1 / 127.5, (INPUT, INPUT), (127.5, 127.5, 127.5))
    net.setInput(blob)
    raw = np.asarray(net.forward("regressors"), np.float32).reshape(-1, 16)
    net.setInput(blob)
    logits = np.asarray(net.forward("classificators"), np.float32).reshape(-1)
    scores = 1.0 / (1.0 + np.exp(-np.clip(logits, -80, 80)))
    keep = scores >= min_score
    if not keep.any():
        return []
    raw, scores, anchors = raw[keep], scores[keep], ANCHORS[keep]
    # Offsets are in input pixels relative to the anchor centre.
    cx = raw[:, 0] / INPUT + anchors[:, 0]
    cy = raw[:, 1] / INPUT + anchors[:, 1]
    w, h = raw[:, 2] / INPUT, raw[:, 3] / INPUT
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    kps = raw[:, 4:16].reshape(-1, 6, 2) / INPUT + anchors[:, None, :]
    faces = []
    for box, kp, score in _weighted_nms(boxes, kps, scores):
        # [0,1] of the square → square pixels → image pixels
        b = box * INPUT * scale - np.array([pad_x, pad_y, pad_x, pad_y])
        k = kp * INPUT * scale - np.array([pad_x, pad_y])
        x0, y0, x1, y1 = (float(v) for v in b)
        faces.append(Detection((x0, y0, x1, y1), k.astype(np.float64), score))
    faces.sort(key=lambda d: -d.size)
    return faces


def _nms(faces: list[Detection]) -> list[Detection]:
    """Plain NMS in image pixels: the same face seen by two overlapping tiles counts once."""
    kept: list[Detection] = []
    for d in sorted(faces, key=lambda f: -f.score):
        box = np.asarray(d.box)
        if not kept or (_iou(box, np.asarray([k.box for k in kept])) <= NMS_IOU).all():
            kept.append(d)
    kept.sort(key=lambda f: -f.size)
    return kept


def tiles(width: int, height: int, share: float = 0.6) -> list[tuple[int, int, int]]:
    """Overlapping square tiles (x, y, side) of `share` of the shorter side, half a tile
    apart, covering the image."""
    side = max(INPUT, round(min(width, height) * share))
    out = []
    xs = sorted({*range(0, max(1, width - side + 1), side // 2), max(0, width - side)})
    ys = sorted({*range(0, max(1, height - side + 1), side // 2), max(0, height - side)})
    for y in ys:
        for x in xs:
            out.append((x, y, side))
    return out


def detect_in_tiles(net: cv2.dnn.Net, rgb: np.ndarray) -> list[Detection]:
    """Detections on tiles of the image, for when the whole frame shows none: a clinic photo's
    face fills the frame, but one taken from further away must not fail for want of pixels.
    Largest first."""
    found: list[Detection] = []
    h, w = rgb.shape[:2]
    for x, y, side in tiles(w, h):
        for d in detect_faces(net, rgb[y : y + side, x : x + side]):
            x0, y0, x1, y1 = d.box
            if x0 < 1 or y0 < 1 or x1 > side - 1 or y1 > side - 1:
                continue  # cut by the tile's edge: the whole frame or another tile sees it
            found.append(Detection((x0 + x, y0 + y, x1 + x, y1 + y), d.keypoints + (x, y), d.score))
    return _nms(found)
