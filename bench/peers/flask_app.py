"""A seed-style Flask scoring service, the Python peer of bench/peers.sh: it loads the
trainer's xgboost-model.json with xgboost.Booster, encodes one applicant's fields the way the
manifest's encodedColumns say, applies the manifest's Platt calibration and answers like
POST /predict. Run under gunicorn (MODEL_VERSION_DIR names the version folder)."""
import json
import math
import os

import numpy as np
import xgboost as xgb
from flask import Flask, jsonify, request

VERSION_DIR = os.environ["MODEL_VERSION_DIR"]
with open(os.path.join(VERSION_DIR, "manifest.json")) as f:
    MANIFEST = json.load(f)
BOOSTER = xgb.Booster(params={"nthread": 1}, model_file=os.path.join(VERSION_DIR, "xgboost-model.json"))
COLUMNS = MANIFEST["encodedColumns"]
ORDINALS = {"grade": ["A", "B", "C", "D", "E", "F", "G"],
            "emp_length": ["< 1 year", "1 year", "2 years", "3 years", "4 years", "5 years",
                           "6 years", "7 years", "8 years", "9 years", "10+ years"]}
SLOPE = MANIFEST["calibration"]["slope"]
INTERCEPT = MANIFEST["calibration"]["intercept"]
THRESHOLD = MANIFEST["threshold"]["value"]

app = Flask(__name__)


def encode(applicant):
    row = np.zeros((1, len(COLUMNS)), dtype=np.float32)
    for i, column in enumerate(COLUMNS):
        if column.endswith("#rank"):
            name = column[:-5]
            value = applicant.get(name)
            row[0, i] = ORDINALS[name].index(value) if value in ORDINALS[name] else np.nan
        elif "=" in column:
            name, category = column.split("=", 1)
            row[0, i] = 1.0 if applicant.get(name) == category else 0.0
        else:
            value = applicant.get(column)
            row[0, i] = np.nan if value is None else float(value)
    return row


@app.get("/health")
def health():
    return jsonify(status="ok")


@app.post("/predict")
def predict():
    applicant = request.get_json()
    margin = float(BOOSTER.predict(xgb.DMatrix(encode(applicant), missing=np.nan), output_margin=True)[0])
    probability = 1.0 / (1.0 + math.exp(-(SLOPE * margin + INTERCEPT)))
    return jsonify(probability=probability, decision="yes" if probability >= THRESHOLD else "no",
                   threshold=THRESHOLD, modelVersion=MANIFEST["version"])
