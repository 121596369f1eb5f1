/** Kind of traffic a simulated number carries; `none` gives zero calls in every snapshot. */
export type Traffic = "normal" | "none" | "low_answer";

/** One phone number served by the simulator. */
export interface SimNumber {
  /** The number in E.164 form, e.g. `+919876543210`. */
  e164: string;
  /** Number status; default `active`. Any value is allowed (e.g. `blocked`). */
  status?: string;
  /** Reputation/usage rating; default `unrated`. */
  usageStatus?: string;
  /** Flagged as spam; default false. */
  isSpam?: boolean;
  /** Traffic profile; default `normal`. */
  traffic?: Traffic;
  /** Owning (sub-)account shown by the list endpoint; default the account's authId. */
  ownerAuthId?: string;
}

/** A simulated account: its credentials and the numbers it can read. */
export interface SimAccount {
  authId: string;
  authToken: string;
  numbers: SimNumber[];
}

/** Every misbehaviour the simulator can be told to show for a number. */
export type FaultName =
  | "latency"
  | "stall"
  | "slow_body"
  | "rate_limited"
  | "rate_limited_no_retry_after"
  | "rate_limited_once"
  | "http_500"
  | "http_502"
  | "http_503"
  | "http_504"
  | "html_error"
  | "truncated_json"
  | "malformed_json"
  | "wrong_type"
  | "extra_fields"
  | "oversized"
  | "reset"
  | "unauthorized"
  | "forbidden";

/** A fault with its parameters; unused parameters are ignored. */
export interface Fault {
  name: FaultName;
  /** For `latency` (added delay) and `slow_body` (time to write the body); default 1000. */
  latencyMs?: number;
  /** `Retry-After` for `rate_limited`; default 30. */
  retryAfterSeconds?: number;
  /** Body size for `oversized`, never below the real body's; default 16 MiB. */
  bytes?: number;
}

/** Options of `startSimulator`. */
export interface SimulatorOptions {
  /** Address to listen on; default `127.0.0.1`. */
  host?: string;
  /** Port to listen on; default 0 (a free port). */
  port?: number;
  /** Accounts served; default `[demoAccount()]`. */
  accounts?: SimAccount[];
  /** Clock for snapshot windows and envelope timestamps; default `() => new Date()`. */
  now?: () => Date;
  /** Delay added to every response, in milliseconds; default 0. */
  latencyMs?: number;
  /** Faults by E.164 number, or `*` for every number. */
  faults?: Record<string, Fault>;
  /**
   * Keep every request in `requests`; default true. Turn off for long runs (the
   * `simulate` command, benchmarks), where the record would grow without bound.
   */
  recordRequests?: boolean;
}

/** One request as the simulator received it. */
export interface RecordedRequest {
  method: string;
  /** The request target exactly as on the wire, query included. */
  rawPath: string;
  /** `X-Auth-ID` header, if sent. */
  authId?: string;
  /** `X-Auth-Token` header, if sent. */
  authToken?: string;
  /** Status code sent; 0 while no response has started (e.g. a stalled request). */
  status: number;
  /** When the request arrived, in epoch milliseconds. */
  at: number;
}

/** A listening simulator and its controls. */
export interface RunningSimulator {
  /** Base URL, e.g. `http://127.0.0.1:PORT`. */
  url: string;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  /**
   * Sets (or, with `undefined`, clears) the fault of a number, of `*`, or of an
   * account's number list when the key is its auth ID (error faults and `stall` only).
   */
  setFault(key: string, fault: Fault | undefined): void;
  /** Removes a number from every account's list and health endpoint. */
  removeNumber(e164: string): void;
  /** Empties `requests`. */
  resetRequests(): void;
  /** Stops listening and destroys every open socket, stalled ones included. */
  close(): Promise<void>;
}
