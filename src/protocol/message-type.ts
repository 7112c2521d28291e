// RFC 6121 §5.2.2 message types.
export type MessageType = 'chat' | 'normal' | 'headline' | 'groupchat' | 'error';

/** RFC 6121 §5.2.2: an absent or unknown type is treated as normal. */
export function messageType(type: string | undefined): MessageType {
  switch (type) {
    case 'chat':
    case 'headline':
    case 'groupchat':
    case 'error':
      return type;
    default:
      return 'normal';
  }
}
