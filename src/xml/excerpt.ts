// Peer-supplied names quoted in error texts are cut short: the text goes back on the wire in <stream:error/>.
const MAX_CHARS = 40;

export function excerpt(text: string): string {
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}…` : text;
}
