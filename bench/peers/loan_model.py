"""What the Python peers of bench/peers.sh share: the trainer's xgboost-model.json loaded with
xgboost.Booster on one thread, the applicants' fields encoded the way the manifest's
encodedColumns say (one-hot `name=category`, ordinal `name#rank`, numbers as they are, missing
as NaN), and the manifest's Platt calibration applied to the trees' margin, so that every peer
answers the probability this API answers for the same rows."""
import json
import os

import numpy as np
import xgboost as xgb


class LoanModel:
    """One model version folder: manifest.json and xgboost-model.json."""

    def __init__(self, version_dir):
        with open(os.path.join(version_dir, "manifest.json")) as f:
            self.manifest = json.load(f)
        self.booster = xgb.Booster(params={"nthread": 1}, model_file=os.path.join(version_dir, "xgboost-model.json"))
        self.version = self.manifest["version"]
        self.threshold = self.manifest["threshold"]["value"]
        self.feature_names = [feature["name"] for feature in self.manifest["features"]]
        self._ranks = {feature["name"]: {c: i for i, c in enumerate(feature.get("categories", []))}
                       for feature in self.manifest["features"]}
        self._columns = self.manifest["encodedColumns"]
        self._slope = self.manifest["calibration"]["slope"]
        self._intercept = self.manifest["calibration"]["intercept"]

    def columns_of(self, records):
        """Applicants (dicts of fields) as one list of values per feature."""
        return {name: [record.get(name) for record in records] for name in self.feature_names}

    def encode(self, columns, rows):
        """The [rows, encoded columns] float32 matrix of `columns` (feature name -> values)."""
        matrix = np.zeros((rows, len(self._columns)), dtype=np.float32)
        texts = {}
        for i, column in enumerate(self._columns):
            if column.endswith("#rank"):
                name = column[:-5]
                ranks = self._ranks[name]
                matrix[:, i] = [ranks.get(value, np.nan) for value in self._text(texts, columns, name)]
            elif "=" in column:
                name, category = column.split("=", 1)
                matrix[:, i] = np.asarray(self._text(texts, columns, name), dtype=object) == category
            else:
                matrix[:, i] = np.asarray(columns[column], dtype=np.float64).reshape(rows)
        return matrix

    @staticmethod
    def _text(texts, columns, name):
        """A categorical feature's values as str (OIP BYTES tensors arrive as bytes), decoded once."""
        if name not in texts:
            values = np.asarray(columns[name], dtype=object).reshape(-1)
            texts[name] = [v.decode() if isinstance(v, bytes) else v for v in values]
        return texts[name]

    def probabilities(self, matrix):
        """Calibrated probabilities of the encoded rows, as float64."""
        margin = self.booster.predict(xgb.DMatrix(matrix, missing=np.nan), output_margin=True)
        return 1.0 / (1.0 + np.exp(-(self._slope * margin.astype(np.float64) + self._intercept)))

    def score_records(self, records):
        """Probabilities of a list of applicants."""
        return self.probabilities(self.encode(self.columns_of(records), len(records)))

    def answer(self, probability):
        """One prediction as POST /predict answers it."""
        probability = float(probability)
        return {"probability": probability, "decision": "yes" if probability >= self.threshold else "no",
                "threshold": self.threshold, "modelVersion": self.version}
