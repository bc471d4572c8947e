"""The narrative classifier: character n-gram TF-IDF and a linear model with per-class sigmoid
calibration, trained by scikit-learn (``nature_train``) and shipped as one ``.npz`` of plain
arrays — vocabulary, idf, coefficients, intercepts and the calibration's two numbers per class.

Loading uses ``numpy.load(allow_pickle=False)``, so opening the model file runs no code, and the
web process never imports scikit-learn: ``CharTfidfModel`` recomputes what the fitted pipeline
computes (``TfidfVectorizer(analyzer="char", sublinear_tf=True)`` → ``LinearSVC.decision_function``
→ ``_SigmoidCalibration`` → normalisation, as in ``CalibratedClassifierCV``). Training checks that
both give the same probabilities before it writes the file.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

MODEL_PATH = Path(__file__).resolve().parent / "model" / "natures.npz"
NGRAM_RANGE = (1, 3)
FORMAT = 1

# scikit-learn's TfidfVectorizer collapses runs of whitespace before cutting character n-grams.
_WHITESPACE = re.compile(r"\s\s+")


def char_ngrams(text: str, low: int = NGRAM_RANGE[0], high: int = NGRAM_RANGE[1]) -> list[str]:
    text = _WHITESPACE.sub(" ", text.lower())
    grams: list[str] = []
    length = len(text)
    for n in range(low, min(high, length) + 1):
        grams.extend(text[i : i + n] for i in range(length - n + 1))
    return grams


@dataclass(frozen=True)
class CharTfidfModel:
    labels: tuple[str, ...]
    index: dict[str, int]  # n-gram → column
    idf: np.ndarray  # (V,)
    coef: np.ndarray  # (K, V)
    intercept: np.ndarray  # (K,)
    sigmoid_a: np.ndarray  # (K,)
    sigmoid_b: np.ndarray  # (K,)
    version: str

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and their L2-normalised, sublinear TF-IDF weights."""
        counts = Counter(g for g in char_ngrams(text) if g in self.index)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        cols = np.fromiter((self.index[g] for g in counts), dtype=np.int64, count=len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=float)
        weights = tf * self.idf[cols]
        norm = float(np.sqrt(np.dot(weights, weights)))
        return cols, weights / norm if norm else weights

    def decision(self, text: str) -> np.ndarray:
        cols, weights = self.features(text)
        return self.coef[:, cols].astype(float) @ weights + self.intercept

    def probabilities(self, text: str) -> dict[str, float]:
        scores = self.decision(text)
        calibrated = 1.0 / (1.0 + np.exp(self.sigmoid_a * scores + self.sigmoid_b))
        total = float(calibrated.sum())
        if total == 0:
            calibrated = np.full_like(calibrated, 1.0 / len(self.labels))
        else:
            calibrated = calibrated / total
        return {label: float(p) for label, p in zip(self.labels, calibrated, strict=True)}


def load(path: Path = MODEL_PATH) -> CharTfidfModel:
    with np.load(path, allow_pickle=False) as data:
        if int(data["format"]) != FORMAT:
            raise ValueError(f"{path}: model format {int(data['format'])}, expected {FORMAT}")
        vocabulary = [str(term) for term in data["vocabulary"]]
        return CharTfidfModel(
            labels=tuple(str(label) for label in data["labels"]),
            index={term: i for i, term in enumerate(vocabulary)},
            idf=data["idf"].astype(float),
            coef=data["coef"],
            intercept=data["intercept"].astype(float),
            sigmoid_a=data["sigmoid_a"].astype(float),
            sigmoid_b=data["sigmoid_b"].astype(float),
            version=str(data["version"]),
        )


@lru_cache(maxsize=1)
def shipped() -> CharTfidfModel:
    """The model file in the repository, read once per process."""
    return load()


# --- training (management command only) --------------------------------------------------------

MAX_FEATURES = 20000
C = 0.5


def fit(texts: Sequence[str], labels: Sequence[str], *, version: str) -> dict[str, Any]:
    """Fit the pipeline and return the arrays ``save`` writes, plus the fitted pipeline
    (``"_pipeline"``) so the caller can check the export against scikit-learn."""
    # scikit-learn is imported here, not at module level: the web process only needs numpy.
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    vectorizer = TfidfVectorizer(
        analyzer="char",
        ngram_range=NGRAM_RANGE,
        sublinear_tf=True,
        min_df=2,
        max_features=MAX_FEATURES,
        dtype=np.float64,
    )
    matrix = vectorizer.fit_transform(texts)
    # ensemble=False: one linear model fitted on all the training data, its calibration fitted on
    # cross-validated decision values — one set of coefficients to ship instead of five.
    model = CalibratedClassifierCV(
        LinearSVC(C=C, class_weight="balanced", random_state=0),
        method="sigmoid",
        cv=5,
        ensemble=False,
    )
    model.fit(matrix, labels)
    calibrated = model.calibrated_classifiers_[0]
    svc = calibrated.estimator
    order = list(svc.classes_)
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    return {
        "format": np.array(FORMAT),
        "version": np.array(version),
        "labels": np.array(order),
        "vocabulary": np.array(vocabulary),
        "idf": vectorizer.idf_.astype(np.float32),
        "coef": svc.coef_.astype(np.float32),
        "intercept": svc.intercept_.astype(np.float32),
        "sigmoid_a": np.array([c.a_ for c in calibrated.calibrators], dtype=np.float64),
        "sigmoid_b": np.array([c.b_ for c in calibrated.calibrators], dtype=np.float64),
        "_pipeline": (vectorizer, model),
    }


def save(arrays: dict[str, Any], path: Path = MODEL_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    public = {k: v for k, v in arrays.items() if not k.startswith("_")}
    with path.open("wb") as out:
        np.savez_compressed(out, **public)


def from_arrays(arrays: dict[str, Any]) -> CharTfidfModel:
    vocabulary = [str(t) for t in arrays["vocabulary"]]
    return CharTfidfModel(
        labels=tuple(str(label) for label in arrays["labels"]),
        index={t: i for i, t in enumerate(vocabulary)},
        idf=arrays["idf"].astype(float),
        coef=arrays["coef"],
        intercept=arrays["intercept"].astype(float),
        sigmoid_a=arrays["sigmoid_a"].astype(float),
        sigmoid_b=arrays["sigmoid_b"].astype(float),
        version=str(arrays["version"]),
    )


def export_gap(arrays: dict[str, Any], texts: Iterable[str]) -> float:
    """The largest difference between scikit-learn's probabilities and the exported model's."""
    vectorizer, model = arrays["_pipeline"]
    exported = from_arrays(arrays)
    texts = list(texts)
    expected = model.predict_proba(vectorizer.transform(texts))
    gap = 0.0
    for row, text in zip(expected, texts, strict=True):
        got = exported.probabilities(text)
        for label, p in zip(model.classes_, row, strict=True):
            gap = max(gap, abs(got[str(label)] - float(p)))
    return gap
