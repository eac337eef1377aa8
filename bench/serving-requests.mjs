// The one-row requests the serving benchmarks send (bench:api, bench:tail): the same generated
// applicant as a /predict body and as an OIP v2 infer request.
import { FEATURES } from '@peerloan/contracts';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';

export const applicant = [...generateLoans({ rows: 1, seed: 7 })][0].record;

/** The same applicant as an OIP v2 infer request: one [1,1] tensor per feature. */
export const inferBody = {
  inputs: FEATURES.map((feature) => ({
    name: feature.name,
    shape: [1, 1],
    datatype: feature.kind === 'categorical' ? 'BYTES' : 'FP32',
    data: [applicant[feature.name] ?? (feature.kind === 'categorical' ? '' : Number.NaN)],
  })),
};
