"""Reference for the training benchmark: the trainer's default search (same grid, imbalance
strategies, folds, early stopping, encoding) through Python xgboost + scikit-learn + imblearn.
Prints one JSON line: seconds, best CV ROC AUC and the winning candidate."""
import json
import sys
import time

import numpy as np
import pandas as pd
import xgboost as xgb
from imblearn.over_sampling import SMOTE
from sklearn.model_selection import ParameterGrid, StratifiedKFold

GRADES = list("ABCDEFG")
EMP = ["< 1 year", "1 year"] + [f"{i} years" for i in range(2, 10)] + ["10+ years"]


def encode(df):
    x = df[["loan_amnt", "int_rate", "annual_inc", "revol_util", "dti", "delinq_2yrs"]].copy()
    x["grade_rank"] = df.grade.map({g: i for i, g in enumerate(GRADES)})
    x["emp_rank"] = df.emp_length.map({e: i for i, e in enumerate(EMP)})
    dummies = [pd.get_dummies(df[c], prefix=c, dtype=float) for c in ("purpose", "home_ownership")]
    return pd.concat([x, *dummies], axis=1).values.astype(np.float32)


def main(csv_path, config_path):
    config = json.load(open(config_path))
    started = time.time()
    df = pd.read_csv(csv_path)
    y = df.is_late.values
    x = encode(df)
    folds = list(StratifiedKFold(config["folds"], shuffle=True, random_state=config["seed"]).split(x, y))
    results = []
    for strategy in config["imbalance"]:
        # The trainer's grid is a list of grids (union), as ParameterGrid takes them.
        for params in ParameterGrid([{k: list(v) for k, v in g.items()} for g in config["grid"]]):
            aucs = []
            for i, (train, valid) in enumerate(folds):
                xt, yt = x[train], y[train]
                extra = {}
                if strategy == "smote":
                    # imblearn's SMOTE cannot take NaN: fill with the column median for it only.
                    filled = np.where(np.isnan(xt), np.nanmedian(xt, axis=0), xt)
                    xt, yt = SMOTE(sampling_strategy=config["smote"]["targetRatio"], k_neighbors=config["smote"]["k"], random_state=config["seed"] + i).fit_resample(filled, yt)
                if strategy == "scale_pos_weight":
                    extra["scale_pos_weight"] = (len(y) - y.sum()) / y.sum()
                booster = xgb.train(
                    {**params, **extra, "objective": "binary:logistic", "eval_metric": "auc", "tree_method": "hist",
                     "nthread": 2, "base_score": 0.5, "seed": config["seed"]},
                    xgb.DMatrix(xt, yt), config["maxRounds"], evals=[(xgb.DMatrix(x[valid], y[valid]), "valid")],
                    early_stopping_rounds=config["earlyStoppingRounds"], verbose_eval=False)
                aucs.append(booster.best_score)
            results.append({"strategy": strategy, "params": params, "rocAuc": float(np.mean(aucs))})
    best = max(results, key=lambda r: r["rocAuc"])
    print(json.dumps({"seconds": time.time() - started, "rocAuc": best["rocAuc"], "best": best, "xgboost": xgb.__version__}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
