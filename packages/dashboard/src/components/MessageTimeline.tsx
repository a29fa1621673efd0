import type { OperationMessage } from '../types';
import { clockOf, formatDuration, formatTime } from './format';

/**
 * An operation's messages, oldest first, as a timeline: the time (and how long after the operation's start), the
 * level as a word, the text as written (never as markup), and the message's fields.
 */
export function MessageTimeline(props: { messages: OperationMessage[]; startedAt: string }) {
  const start = Date.parse(props.startedAt);
  return (
    <ol class="timeline">
      {props.messages.map((message, index) => {
        const at = Date.parse(message.at);
        const fields = Object.entries(message.fields ?? {});
        return (
          <li key={index} class={`timeline-item level-${message.level}`}>
            <div class="timeline-when">
              <time dateTime={message.at} title={formatTime(message.at)}>
                {clockTime(message.at)}
              </time>
              {Number.isFinite(at - start) && (
                <span class="hint timeline-offset">+{formatDuration(Math.max(0, at - start))}</span>
              )}
            </div>
            <span class={`badge badge-${message.level}`}>{message.level}</span>
            <div class="timeline-body">
              <p class="message-text">{message.text}</p>
              {fields.length > 0 && (
                <dl class="message-fields">
                  {fields.map(([name, value]) => (
                    <div key={name}>
                      <dt>{name}</dt>
                      <dd>
                        <code>{shown(value)}</code>
                      </dd>
                    </div>
                  ))}
                </dl>
              )}
            </div>
          </li>
        );
      })}
    </ol>
  );
}

/** A field's value as text: strings as they are, anything else as JSON. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The time of day to the millisecond: messages of one operation are often within the same second. */
function clockTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const time = clockOf(date);
  return `${time}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}
