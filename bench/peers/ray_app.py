"""Ray Serve, a peer of bench/peers.sh: a deployment of 2 replicas (one CPU and one thread each)
that loads the trainer's xgboost-model.json and answers POST / with {"instances": [applicants]}
as this API's /predict answers it (GET /: "ready"), behind Ray Serve's HTTP proxy on PORT. A
local Ray of 2 CPUs, no dashboard, no access log. Runs until it is stopped.
Usage: MODEL_VERSION_DIR=<version folder> PORT=<port> RAY_TMP=<folder> python ray_app.py"""
import os

import ray
from ray import serve
from starlette.requests import Request

from loan_model import LoanModel


@serve.deployment(
    num_replicas=2,
    ray_actor_options={"num_cpus": 1},
    logging_config={"enable_access_log": False, "log_level": "WARNING"},
)
class LoanRisk:
    def __init__(self, version_dir):
        self.model = LoanModel(version_dir)

    async def __call__(self, request: Request):
        if request.method == "GET":
            return "ready"
        instances = (await request.json())["instances"]
        return {"predictions": [self.model.answer(p) for p in self.model.score_records(instances)]}


if __name__ == "__main__":
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _temp_dir=os.environ["RAY_TMP"])
    serve.start(http_options={"host": "127.0.0.1", "port": int(os.environ["PORT"])},
                logging_config={"enable_access_log": False, "log_level": "WARNING"})
    serve.run(LoanRisk.bind(os.environ["MODEL_VERSION_DIR"]), name="loan-risk", route_prefix="/", blocking=True)
