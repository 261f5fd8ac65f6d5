// Events the lab listens to, so it can start or stop a node's CM agent and kubelet with its VM.
import { EventEmitter } from "node:events";

export type ServerEventType =
  | "create" // accepted by the API (BUILD), host chosen or not
  | "active" // finished booting: the lab starts the node
  | "error" // ended in ERROR (no valid host, injected boot failure)
  | "stop" // os-stop: clean shutdown
  | "start" // os-start
  | "restarting" // the guest goes down for a reboot or a resize; back with "reboot" or "resized"
  | "reboot"
  | "resized" // a resize (or its revert) landed: the guest runs again, maybe on another host
  | "crash" // fault injection: powered off without an API call (the runbook's "node offline unexpectedly")
  | "delete";

export interface ServerEvent {
  type: ServerEventType;
  serverId: string;
  name: string;
  host: string | null;
  /** IPv4 addresses of the server's ports at the time of the event (the lab maps them to nodes). */
  fixedIps: string[];
  status: string;
  at: string;
  message?: string;
}

export class SimulatorHooks extends EventEmitter {
  emitServer(event: ServerEvent): void {
    this.emit("server", event);
    this.emit(`server.${event.type}`, event);
  }

  onServer(listener: (event: ServerEvent) => void): this {
    return this.on("server", listener);
  }

  /** Resolves with the next server event that satisfies `match` (for tests and lab glue). */
  waitFor(match: (event: ServerEvent) => boolean, timeoutMs = 10000): Promise<ServerEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off("server", listener);
        reject(new Error(`no matching server event within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (e: ServerEvent): void => {
        if (!match(e)) return;
        clearTimeout(timer);
        this.off("server", listener);
        resolve(e);
      };
      this.on("server", listener);
    });
  }
}
