// Timestamp formats that gophercloud v1.8 parses (a wrong one fails the whole provider call).

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function dateAndTime(d: Date): string {
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

/** Nova `created`/`updated`, Glance, Keystone `expires_at`: RFC 3339 with a zone ("...Z"). */
export function rfc3339(iso: string): string {
  return `${dateAndTime(new Date(iso))}Z`;
}

/** Keystone `expires_at`/`issued_at`: RFC 3339 with microseconds, as Keystone sends it. */
export function rfc3339Micro(iso: string): string {
  const d = new Date(iso);
  return `${dateAndTime(d)}.${pad(d.getUTCMilliseconds(), 3)}000Z`;
}

/** Cinder `created_at`/`updated_at`/`attached_at`: microseconds and NO zone (a "Z" breaks gophercloud). */
export function microNoZone(iso: string): string {
  const d = new Date(iso);
  return `${dateAndTime(d)}.${pad(d.getUTCMilliseconds(), 3)}000`;
}

export function nowIso(): string {
  return new Date().toISOString();
}

export function isoAfter(ms: number, from: Date = new Date()): string {
  return new Date(from.getTime() + ms).toISOString();
}
