"""Drives the API's OIP v2 gRPC service with NVIDIA's tritonclient[grpc], as a KServe user would,
for api/test/grpc.test.ts (which installs it: scripts/install-python-clients.sh). Reads the
applicants as a JSON array on stdin, prints what the client saw as one JSON object on stdout.
Usage: python triton_grpc_check.py HOST:PORT [MODEL_NAME]"""
import json
import sys

import numpy as np
import tritonclient.grpc as grpcclient
from tritonclient.utils import InferenceServerException

ADDRESS = sys.argv[1]
MODEL = sys.argv[2] if len(sys.argv) > 2 else "loan-risk"
rows = json.load(sys.stdin)
client = grpcclient.InferenceServerClient(url=ADDRESS)
metadata = client.get_model_metadata(MODEL, as_json=True)


def tensor(spec):
    """One input per feature, shape [N, 1]: text as BYTES (missing: b""), numbers as FP32 (missing: NaN)."""
    name = spec["name"]
    if spec["datatype"] == "BYTES":
        array = np.array([[(row.get(name) or "").encode()] for row in rows], dtype=np.object_)
    else:
        array = np.array([[np.nan if row.get(name) is None else row[name]] for row in rows], dtype=np.float32)
    infer_input = grpcclient.InferInput(name, list(array.shape), spec["datatype"])
    infer_input.set_data_from_numpy(array)
    return infer_input


inputs = [tensor(spec) for spec in metadata["inputs"]]
outputs = [grpcclient.InferRequestedOutput("probability")]
result = client.infer(MODEL, inputs, outputs=outputs, request_id="triton-check")
try:
    client.infer("no-such-model", inputs)
    unknown_model = "OK"
except InferenceServerException as err:
    unknown_model = err.status()

print(json.dumps({
    "live": client.is_server_live(),
    "ready": client.is_server_ready(),
    "modelReady": client.is_model_ready(MODEL),
    "server": client.get_server_metadata(as_json=True),
    "metadata": metadata,
    "id": result.get_response(as_json=True).get("id"),
    "probabilities": result.as_numpy("probability").ravel().astype(float).tolist(),
    "unknownModel": unknown_model,
}))
