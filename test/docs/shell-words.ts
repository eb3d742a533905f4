/**
 * Splits one shell line into words as a POSIX shell would for the simple
 * commands the docs show: '…' kept literally, "…" with \" \\ \$ \` escapes,
 * a backslash outside quotes escapes the next character, and an unquoted #
 * at the start of a word begins a comment. No expansion: `$VAR` stays as is.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const char = line[i] ?? "";
    if (/\s/.test(char)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (char === "#" && word === null) {
      break;
    } else if (char === "'") {
      const end = line.indexOf("'", i + 1);
      if (end === -1) throw new Error(`unterminated ' in: ${line}`);
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (char === '"') {
      let text = "";
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === "\\" && /["\\$`]/.test(line[j + 1] ?? "")) j++;
        text += line[j] ?? "";
      }
      if (j >= line.length) throw new Error(`unterminated " in: ${line}`);
      word = (word ?? "") + text;
      i = j;
    } else if (char === "\\") {
      word = (word ?? "") + (line[i + 1] ?? "");
      i++;
    } else {
      word = (word ?? "") + char;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** redis-cli options that take an argument (`-p 6379`). */
const REDIS_CLI_VALUED = new Set(["-h", "-p", "-a", "-u", "-n", "-s", "--user", "--pass", "--sni", "--cacert"]);

/**
 * A Redis command as the docs write it: `redis-cli [options] CMD args…` or a
 * bare `CMD args…` (the Upstash console's CLI tab); null for other lines.
 * A leading `$ ` prompt is dropped.
 */
export function redisCommand(line: string): string[] | null {
  const text = line.replace(/^\s*\$\s+/, "");
  if (!/^\s*(redis-cli\b|[A-Za-z]+\s)/.test(text)) return null;
  const words = shellWords(text);
  if (words[0] === "redis-cli") {
    words.shift();
    while ((words[0] ?? "").startsWith("-")) {
      const option = words.shift() ?? "";
      if (REDIS_CLI_VALUED.has(option)) words.shift();
    }
  } else if (!/^[A-Z]+$/.test(words[0] ?? "")) {
    // Bare commands are written in capitals (SET, RPUSH); `npm start`, `curl …` are not Redis commands.
    return null;
  }
  return words.length > 0 ? words : null;
}
