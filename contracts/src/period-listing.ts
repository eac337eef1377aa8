/**
 * What `loanrisk-train --list-periods` says about spec.dataset.path (spec.training.watchInterval):
 * one JSON object in the listing container's termination message, as the training summary is in
 * the training container's. The trainer writes this type; the operator checks what it reads
 * against the same schema. The full listing (each file's name, size and modification time) goes to
 * stdout: a termination message holds at most 4 KiB, which a folder of many periods would exceed.
 */
import { Type, type Static } from 'typebox';
import { int32, text } from './schema/fields.js';

const INT32_MAX = 2147483647;

export const SHA256_HEX_PATTERN = '^[0-9a-f]{64}$';

export const PeriodListingSchema = Type.Object(
  {
    fingerprint: text(
      "sha256 (hex) of the period files' names, sizes and modification times, oldest first: any file added, removed, replaced or rewritten changes it.",
      { pattern: SHA256_HEX_PATTERN },
    ),
    files: int32('Period files found (0 for an empty folder).', 0, INT32_MAX),
    newest: Type.Optional(text('The newest period file by name; absent when there is none.')),
  },
  { description: 'The dataset as `loanrisk-train --list-periods` found it.' },
);
export type PeriodListing = Static<typeof PeriodListingSchema>;
