import type { View } from "../spec-view.ts";

/** Any parsed field, generically: nested objects as nested lists, so new route fields need no page change. */
export function Fields(props: { readonly fields: { readonly [name: string]: View } }) {
  const entries = Object.entries(props.fields);
  if (entries.length === 0) return <span class="muted">–</span>;
  return (
    <dl class="fields">
      {entries.map(([name, value]) => (
        <>
          <dt>{name}</dt>
          <dd>
            <Value value={value} />
          </dd>
        </>
      ))}
    </dl>
  );
}

function Value(props: { readonly value: View }) {
  const { value } = props;
  if (Array.isArray(value)) {
    return (
      <ul class="plain">
        {value.map((item: View) => (
          <li>
            <Value value={item} />
          </li>
        ))}
      </ul>
    );
  }
  if (typeof value === "object") return <Fields fields={value as { readonly [name: string]: View }} />;
  return <span class="mono">{String(value)}</span>;
}
