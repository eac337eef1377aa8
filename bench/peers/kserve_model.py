"""KServe's Python model server, a peer of bench/peers.sh: a custom kserve.Model (as KServe's
docs show for custom Python models) that loads the trainer's xgboost-model.json and answers V1
predict ({"instances": [applicants]}, REST) and Open Inference Protocol v2 infer (one tensor
per feature, shape [N, 1], as this API takes them; REST and gRPC). Model name loan-risk; the
ports and workers are KServe's own flags (--http_port, --grpc_port, --workers).
Usage: python kserve_model.py --model_dir <version folder> --http_port P --grpc_port Q --workers 2"""
import argparse

from kserve import InferOutput, InferRequest, InferResponse, Model, ModelServer, model_server
from kserve.utils.utils import generate_uuid

from loan_model import LoanModel


class LoanRiskModel(Model):
    def __init__(self, name, version_dir):
        super().__init__(name)
        self.version_dir = version_dir
        self.model = None
        self.load()

    def load(self):
        self.model = LoanModel(self.version_dir)
        self.ready = True
        return self.ready

    def predict(self, payload, headers=None):
        if isinstance(payload, InferRequest):
            return self._infer(payload)
        instances = payload["instances"]
        return {"predictions": [self.model.answer(p) for p in self.model.score_records(instances)]}

    def _infer(self, request):
        columns = {tensor.name: tensor.as_numpy() for tensor in request.inputs}
        rows = request.inputs[0].shape[0]
        probabilities = self.model.probabilities(self.model.encode(columns, rows)).astype("float32")
        output = InferOutput(name="probability", shape=[rows], datatype="FP32", data=probabilities.tolist())
        return InferResponse(response_id=request.id or generate_uuid(), model_name=self.name, infer_outputs=[output],
                             from_grpc=request.from_grpc)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(parents=[model_server.parser])
    parser.add_argument("--model_dir", required=True)
    args, _ = parser.parse_known_args()
    ModelServer().start([LoanRiskModel("loan-risk", args.model_dir)])
