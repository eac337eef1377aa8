/**
 * inference.GRPCInferenceService's methods over the operations REST OIP answers from
 * (oip-service.ts): the same metadata, readiness and probabilities. ModelInfer is admitted as the
 * REST infer route is: a credential in the `authorization` (`Bearer <JWT>`) or `x-api-key`
 * metadata with the `predict` scope, one request from the caller's budget, then its rows; the
 * other methods are open, as their REST routes are. A caller's `x-request-id` (or a new one)
 * names the call in the audit trail and comes back in the trailers, with `retry-after` when a
 * budget refused it. Every failure is a status with a message (grpc-errors.ts), never a crash.
 */
import { randomUUID } from 'node:crypto';
import {
  Metadata,
  status as Status,
  type handleUnaryCall,
  type sendUnaryData,
  type ServerUnaryCall,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { APPLICANT_ID_HEADER } from '@peerloan/contracts';
import type { Logger } from 'pino';
import type { Authentication } from '../auth/authentication.js';
import { API_KEY_HEADER } from '../auth/authentication.js';
import * as oip from '../oip-service.js';
import { budgetKey, type BudgetCaller, type ClientBudgets } from '../rate-limit/client-budgets.js';
import { REQUEST_ID } from '../request-log.js';
import { failedStatus } from './grpc-errors.js';
import type { GrpcMetrics } from './grpc-metrics.js';
import { inferResponse, jsonInferRequest } from './infer-tensors.js';
import type { ModelInferRequest, ModelInferResponse, ModelRequest } from './inference-messages.js';

export interface InferenceServiceOptions extends oip.OipOptions {
  readonly auth: Authentication;
  /** Per-client request and row budgets (absent: no limits). */
  readonly budgets?: ClientBudgets;
  readonly logger: Logger;
}

/** A metadata value as text: the first of its key, if it is text. */
function metadataText(metadata: Metadata, key: string): string | undefined {
  const [value] = metadata.get(key);
  return typeof value === 'string' ? value : undefined;
}

/** The address part of grpc-js's peer (`ipv4:127.0.0.1:5000`, `[::1]:5000`): the budget key of an anonymous caller. */
function peerAddress(peer: string): string {
  return peer.replace(/^ipv[46]:/, '').replace(/:\d+$/, '');
}

/** What a handler knows of its call beyond the request: its id, and trailers it may add to. */
interface CallContext {
  readonly requestId: string;
  readonly trailers: Metadata;
}

/** What one call does: its answer (or a rejection, which becomes its status). */
type Handler<Req, Res> = (call: ServerUnaryCall<Req, Res>, context: CallContext) => Promise<Res> | Res;

/** Keeps a caller's x-request-id (so logs join up across services) or makes one, as HTTP does. */
function requestIdOf(metadata: Metadata): string {
  const given = metadataText(metadata, 'x-request-id');
  return given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
}

export function inferenceHandlers(
  options: InferenceServiceOptions,
  metrics: GrpcMetrics,
): UntypedServiceImplementation {
  const { logger } = options;

  /** One finished call: counted, and logged as HTTP requests are. */
  function finished(method: string, requestId: string, code: Status, start: number): void {
    const ms = performance.now() - start;
    metrics.observe(method, code, ms / 1000);
    if (logger.isLevelEnabled('info'))
      logger.info(
        { reqId: requestId, rpc: method, code: Status[code], ms: Math.round(ms * 1000) / 1000 },
        'grpc call completed',
      );
  }

  /** Runs a handler: its answer or its failure's status, with the request id in the trailers. */
  function unary<Req, Res>(method: string, handler: Handler<Req, Res>): handleUnaryCall<Req, Res> {
    return (call, callback: sendUnaryData<Res>) => {
      const start = performance.now();
      const context = { requestId: requestIdOf(call.metadata), trailers: new Metadata() };
      context.trailers.set('x-request-id', context.requestId);
      Promise.resolve()
        .then(() => handler(call, context))
        .then(
          (answer) => {
            callback(null, answer, context.trailers);
            finished(method, context.requestId, Status.OK, start);
          },
          (err: unknown) => {
            const { status, fault } = failedStatus(err);
            if (fault) logger.error({ err, reqId: context.requestId, rpc: method }, 'grpc call failed');
            callback({ ...status, metadata: context.trailers });
            finished(method, context.requestId, status.code, start);
          },
        );
    };
  }

  async function modelInfer(
    call: ServerUnaryCall<ModelInferRequest, ModelInferResponse>,
    { requestId, trailers }: CallContext,
  ): Promise<ModelInferResponse> {
    const { metadata, request } = call;
    const client = await options.auth.authorize(
      { authorization: metadataText(metadata, 'authorization'), apiKey: metadataText(metadata, API_KEY_HEADER) },
      'predict',
    );
    const budget: BudgetCaller = {
      key: budgetKey(client, peerAddress(call.getPeer())),
      retryAfter: (seconds) => {
        trailers.set('retry-after', String(seconds));
      },
    };
    await options.budgets?.drawRequest(budget);
    const model = oip.servedModel(options, request.model_name, request.model_version);
    const answer = await oip.infer(options, model, jsonInferRequest(request), request.model_version !== '', {
      requestId,
      clientId: client.id,
      applicantId: metadataText(metadata, APPLICANT_ID_HEADER)?.trim() || undefined,
      chargeRows: (rows) => options.budgets?.chargeRows(budget, rows) ?? Promise.resolve(),
    });
    // Shadow scoring starts after the answer has gone, as it does for REST.
    setImmediate(() => {
      options.versions.afterAnswer(answer.groups, requestId);
    });
    return inferResponse(answer.header, answer.probabilities, request.raw_input_contents.length > 0);
  }

  return {
    ServerLive: unary('ServerLive', () => ({ live: true })),
    ServerReady: unary('ServerReady', () => ({ ready: oip.serverReady(options) })),
    ServerMetadata: unary('ServerMetadata', () => oip.serverMetadata(options)),
    ModelReady: unary<ModelRequest, { ready: boolean }>('ModelReady', ({ request }) => ({
      ready: oip.modelReady(options, request.name, request.version),
    })),
    ModelMetadata: unary<ModelRequest, ReturnType<typeof oip.modelMetadata>>('ModelMetadata', ({ request }) =>
      oip.modelMetadata(oip.servedModel(options, request.name, request.version), options.modelName),
    ),
    ModelInfer: unary('ModelInfer', modelInfer),
  };
}
