"""A seed-style Flask scoring service, a Python peer of bench/peers.sh, answering like POST
/predict: one applicant's fields, or {"instances": [...]} for many (bench/peers/loan_model.py
encodes and calibrates). Run under gunicorn (MODEL_VERSION_DIR names the version folder)."""
import os

from flask import Flask, jsonify, request

from loan_model import LoanModel

MODEL = LoanModel(os.environ["MODEL_VERSION_DIR"])

app = Flask(__name__)


@app.get("/health")
def health():
    return jsonify(status="ok")


@app.post("/predict")
def predict():
    body = request.get_json()
    if "instances" not in body:
        return jsonify(MODEL.answer(MODEL.score_records([body])[0]))
    return jsonify(predictions=[MODEL.answer(p) for p in MODEL.score_records(body["instances"])])
