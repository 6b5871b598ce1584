// Wire types shared with the server. Type-only imports: nothing from src/ (and no zod) reaches a
// browser bundle.
import type { z } from 'zod';
import type { messagePartSchema, messageSchema, widgetSessionResponse } from '../../src/protocol/index.js';

export type Message = z.infer<typeof messageSchema>;
export type MessagePart = z.infer<typeof messagePartSchema>;
export type WidgetSession = z.infer<typeof widgetSessionResponse>;

/** An RFC 9457 problem as the server sends it. */
export interface Problem {
  status: number;
  code: string;
  detail: string;
  title?: string;
}

export function textOf(message: Pick<Message, 'text' | 'parts'>): string {
  return (
    message.text ||
    message.parts
      .filter((part) => part.type === 'text')
      .map((part) => (part as { text: string }).text)
      .join('\n')
  );
}

export function quickRepliesOf(message: Pick<Message, 'parts'>): string[] {
  return message.parts.flatMap((part) => (part.type === 'quick_replies' ? part.options : []));
}

export function citationsOf(
  message: Pick<Message, 'parts'>,
): Array<{ source: string; title?: string; version?: number }> {
  return message.parts.flatMap((part) => (part.type === 'citation' ? [part] : []));
}

export function isHandoff(message: Pick<Message, 'parts'>): boolean {
  return message.parts.some((part) => part.type === 'handoff');
}
