import type { ComponentChildren } from 'preact';

/** A column's heading; a numeric column's is right-aligned like the numbers under it. */
export interface Heading {
  readonly label: ComponentChildren;
  readonly numeric?: boolean;
}

export function numeric(label: ComponentChildren): Heading {
  return { label, numeric: true };
}

interface Props {
  readonly columns: readonly (Heading | string)[];
  /** An empty first cell, above the row headings (a cross table). */
  readonly corner?: boolean;
}

/** A table's header: one row of column headings. */
export function ColumnHeads({ columns, corner = false }: Props) {
  return (
    <thead>
      <tr>
        {corner && <td />}
        {columns.map((c, i) => {
          const { label, numeric: isNumeric = false } = typeof c === 'string' ? { label: c } : c;
          return (
            <th key={i} scope="col" class={isNumeric ? 'num' : undefined}>
              {label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}
