/**
 * The model, visible to the risk team: GET /features (the live model's inputs and reference
 * applicant, what the web app's form is built from), GET /versions (the versions this server
 * holds with their role and headline metrics, the version history with each gate verdict and
 * reviewer's decision, and a candidate awaiting approval, which no server holds),
 * GET /versions/{version}/card and /report (a version's model-card.json and report.html from
 * the models root) and GET /drift (the drift monitor's windows: PSI per feature over time).
 */
import { Router, type Response } from 'express';
import type {
  AwaitingApprovalAnswer,
  FeaturesAnswer,
  HistoryItem,
  ModelManifest,
  VersionEntry,
  VersionsAnswer,
} from '@peerloan/contracts';
import { RequestError, type LoadedModel } from '@peerloan/scoring';
import type { PublishedHistory } from '@peerloan/scoring/queues';
import type { HeldVersion, ServingVersions } from '../rollout/serving-versions.js';
import type { PublishedReader } from './published-reader.js';
import type { VersionFile, VersionFolders } from './version-folders.js';

export interface ModelViewOptions {
  readonly versions: ServingVersions;
  readonly folders: VersionFolders;
  /** What the workers publish (absent without Redis). */
  readonly published?: PublishedReader;
}

/** The report is self-contained: inline SVG and one inline style sheet, nothing else. */
const REPORT_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function headline(manifest: ModelManifest): Omit<VersionEntry, 'version' | 'role' | 'trafficPercent' | 'loaded'> {
  const { cv } = manifest.metrics;
  return {
    created: manifest.created,
    // The policy's name and its own value side by side: the threshold is what the policy chose.
    threshold: {
      value: manifest.threshold.value,
      policy: manifest.threshold.policy.policy,
      target: manifest.threshold.policy.value,
    },
    metrics: { rocAuc: cv.rocAuc.mean, prAuc: cv.prAuc.mean, brier: cv.brier.mean },
    ...(manifest.outOfTime ? { outOfTime: { rocAuc: manifest.outOfTime.rocAuc } } : {}),
  };
}

function heldVersion(held: HeldVersion): VersionEntry {
  return {
    version: held.version,
    role: held.role,
    trafficPercent: held.trafficPercent,
    loaded: held.model !== undefined,
    ...(held.model ? headline(held.model.manifest) : {}),
  };
}

function features(model: LoadedModel): FeaturesAnswer {
  const references = new Map(model.manifest.features.map((f) => [f.name, f.reference]));
  return {
    modelVersion: model.version,
    threshold: model.threshold,
    features: model.validator.rules.map((rule) => ({ ...rule, reference: references.get(rule.name) ?? null })),
  };
}

async function history(folders: VersionFolders, published: PublishedHistory | undefined): Promise<HistoryItem[]> {
  const manifests = await folders.manifests();
  if (!published)
    return manifests.map((m) => ({ version: m.version, created: m.created, rocAuc: m.metrics.cv.rocAuc.mean }));
  const created = new Map(manifests.map((m) => [m.version, m.created]));
  return published.entries.map((entry) => ({
    version: entry.version,
    ...(created.has(entry.version) ? { created: created.get(entry.version) } : {}),
    rocAuc: entry.rocAuc,
    verdict: entry.outcome,
    at: entry.time,
    ...(entry.reason ? { reason: entry.reason } : {}),
    ...(entry.message ? { message: entry.message } : {}),
    ...(entry.approval ? { approval: entry.approval } : {}),
  }));
}

/** The candidate a reviewer must decide on, with the LoanRiskModel the decision names. */
function awaitingApproval(published: PublishedHistory | undefined): { awaitingApproval?: AwaitingApprovalAnswer } {
  const waiting = published?.awaitingApproval;
  return waiting ? { awaitingApproval: { ...waiting, model: published.model } } : {};
}

export function modelViewRoutes(options: ModelViewOptions): Router {
  const router = Router();
  const { versions, folders } = options;

  /** A file of a held version comes from where it was loaded; any other from the models root. */
  const versionFile = async (version: string, file: VersionFile, res: Response): Promise<Buffer> => {
    const held = versions.held().find((h) => h.version === version)?.model;
    const content = await folders.read(version, file, held?.dir);
    if (!content) {
      res.setHeader('cache-control', 'no-store');
      throw new RequestError(404, `no version ${version} with a ${file} in this server's models (see GET /versions)`);
    }
    return content;
  };

  router.get('/features', (_req, res) => {
    res.json(features(versions.live()));
  });

  router.get('/versions', async (_req, res) => {
    const held = versions.held();
    const published = await options.published?.history();
    const answer: VersionsAnswer = {
      versions: held.map(heldVersion),
      history: await history(folders, published),
      ...awaitingApproval(published),
    };
    res.json(answer);
  });

  router.get('/versions/:version/card', async (req, res) => {
    const card = await versionFile(req.params.version, 'model-card.json', res);
    res.type('json').send(card);
  });

  router.get('/versions/:version/report', async (req, res) => {
    const report = await versionFile(req.params.version, 'report.html', res);
    res.setHeader('content-security-policy', REPORT_POLICY);
    res.type('html').send(report);
  });

  router.get('/drift', async (_req, res) => {
    const windows = (await options.published?.driftWindows()) ?? [];
    res.json({ threshold: windows.at(-1)?.threshold ?? null, windows });
  });
  return router;
}
