"""Scores two applicants through NVIDIA's own tritonclient (HTTP, binary and JSON tensors) and
checks the answers equal /predict's. Usage: python triton_client_check.py http://127.0.0.1:PORT"""
import json
import sys
import urllib.request

import numpy as np
import tritonclient.http as httpclient

URL = sys.argv[1]
ROWS = [
    {"loan_amnt": 20000, "int_rate": 0.22, "purpose": "small_business", "grade": "E", "annual_inc": 30000,
     "revol_util": 0.9, "emp_length": None, "dti": 30, "delinq_2yrs": 2, "home_ownership": "RENT"},
    {"loan_amnt": 8000, "int_rate": 0.08, "purpose": "credit_card", "grade": "A", "annual_inc": 90000,
     "revol_util": 0.3, "emp_length": "10+ years", "dti": 10, "delinq_2yrs": 0, "home_ownership": "MORTGAGE"},
]

client = httpclient.InferenceServerClient(URL.replace("http://", ""))
assert client.is_server_live() and client.is_server_ready() and client.is_model_ready("loan-risk")
metadata = client.get_model_metadata("loan-risk")


def infer(binary):
    inputs = []
    for spec in metadata["inputs"]:
        name = spec["name"]
        if spec["datatype"] == "BYTES":
            array = np.array([[(row[name] or "").encode()] for row in ROWS], dtype=object)
        else:
            array = np.array([[row[name]] for row in ROWS], dtype=np.float32)
        tensor = httpclient.InferInput(name, list(array.shape), spec["datatype"])
        tensor.set_data_from_numpy(array, binary_data=binary)
        inputs.append(tensor)
    output = httpclient.InferRequestedOutput("probability", binary_data=binary)
    return client.infer("loan-risk", inputs, outputs=[output]).as_numpy("probability").ravel().tolist()


request = urllib.request.Request(f"{URL}/predict?explain=false", data=json.dumps({"instances": ROWS}).encode(),
                                 headers={"content-type": "application/json"})
expected = [p["probability"] for p in json.load(urllib.request.urlopen(request))["predictions"]]
for binary in (True, False):
    got = infer(binary)
    assert got == expected, f"binary={binary}: {got} != {expected}"
    print(f"tritonclient ({'binary' if binary else 'JSON'} tensors): {got} == /predict")
