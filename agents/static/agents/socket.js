// The agent's socket: reconnects with backoff, resumes from the last sequence
// number it saw, and hands each event on exactly once (deduplicated by seq).
// Close codes 4401 (signed out) and 4403 (not, or no longer, an agent: access was
// revoked) are final: the socket says "denied" and does not reconnect.
// Close code 4500 means the server's channel layer may have lost frames (a Redis
// outage, a failed publish): reconnect soon, spread over a second so a whole
// server's sockets do not come back at once, and resume from lastSeq as always.
const STORE_KEY = "desk.lastSeq";
const DENIED = new Set([4401, 4403]);
const INTERRUPTED = 4500;
const SEEN_LIMIT = 5000;

export class DeskSocket extends EventTarget {
  constructor(path, pageSeq) {
    super();
    this.path = path;
    // The page was rendered current up to pageSeq; a stored value only helps
    // when the page did not say (it never moves us backwards).
    const stored = Number(sessionStorage.getItem(STORE_KEY) || 0);
    this.lastSeq = pageSeq > 0 ? pageSeq : stored;
    this.seen = new Set();
    this.watching = null;
    this.attempt = 0;
    this.everOpened = false;
    this.ws = null;
  }

  url() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    return `${proto}//${location.host}${this.path}`;
  }

  connect() {
    const ws = new WebSocket(this.url());
    this.ws = ws;
    this.emit("state", { state: "connecting" });
    ws.addEventListener("open", () => {
      this.attempt = 0;
      this.send({ action: "resume", after: this.lastSeq });
      if (this.watching) this.send({ action: "watch", ticket_id: this.watching });
      this.emit("state", { state: "open", reconnect: this.everOpened });
      this.everOpened = true;
    });
    ws.addEventListener("message", (msg) => {
      try {
        this.onFrame(JSON.parse(msg.data));
      } catch (err) {
        console.error("bad frame", err);
      }
    });
    ws.addEventListener("close", (ev) => {
      if (this.ws !== ws) return;
      if (DENIED.has(ev.code)) {
        this.emit("state", { state: "denied", code: ev.code }); // do not hammer
        return;
      }
      this.emit("state", { state: "closed", code: ev.code });
      const delay = ev.code === INTERRUPTED
        ? 100 + Math.random() * 1000
        : Math.min(3000, 200 * 2 ** this.attempt) + Math.random() * 200;
      this.attempt += 1;
      setTimeout(() => this.connect(), delay);
    });
  }

  send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  watch(ticketId) {
    this.watching = ticketId;
    this.send({ action: "watch", ticket_id: ticketId });
  }

  onFrame(frame) {
    if (frame.kind === "event") {
      const ev = frame.event;
      if (ev.seq !== null && ev.seq !== undefined) {
        if (this.seen.has(ev.seq)) return;
        this.seen.add(ev.seq);
        if (this.seen.size > SEEN_LIMIT) this.seen = new Set([...this.seen].slice(-SEEN_LIMIT / 2));
        if (ev.seq > this.lastSeq) {
          this.lastSeq = ev.seq;
          sessionStorage.setItem(STORE_KEY, String(ev.seq));
        }
      }
      this.emit("event", ev);
    } else {
      // Access changed: a ticket we may no longer read is not watched again on reconnect.
      if (frame.kind === "access" && (frame.unwatched || []).includes(this.watching)) {
        this.watching = null;
      }
      this.emit(frame.kind, frame);
    }
  }

  emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }
}
