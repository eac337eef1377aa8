"""BentoML, a peer of bench/peers.sh: a BentoML service (BentoML 1.4's @bentoml.service and
@bentoml.api) that loads the trainer's xgboost-model.json and answers POST /predict with
{"instances": [applicants]} as this API answers it. Two worker processes, one request at a time
in each (threads=1, BentoML's default), no access log.
Usage: MODEL_VERSION_DIR=<version folder> bentoml serve bento_service:LoanRisk --port P"""
import os
from typing import Any

import bentoml

from loan_model import LoanModel


@bentoml.service(workers=2, threads=1, logging={"access": {"enabled": False}})
class LoanRisk:
    def __init__(self):
        self.model = LoanModel(os.environ["MODEL_VERSION_DIR"])

    @bentoml.api
    def predict(self, instances: list[dict[str, Any]]) -> dict[str, Any]:
        return {"predictions": [self.model.answer(p) for p in self.model.score_records(instances)]}
