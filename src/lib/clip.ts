/** Longest error message or detail we write: values quoted in them can be megabytes. */
export const MAX_MESSAGE_LENGTH = 300;

/** Cuts `text` to `max` characters, marking the cut, so one bad value cannot flood logs or CLI output. */
export function clip(text: string, max = MAX_MESSAGE_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
