export {
  DEMO_AUTH_ID,
  DEMO_AUTH_TOKEN,
  demoAccount,
  generatedAccount,
} from "./accounts.js";
export { healthBody } from "./data.js";
export type {
  Granularity,
  HealthBody,
  HealthQuery,
  HealthSnapshot,
  HealthSummary,
} from "./data.js";
export type { GeneralErrorBody, HealthErrorBody } from "./errors.js";
export { FAULT_NAMES } from "./faults.js";
export type { NumberListBody, NumberListItem } from "./list.js";
export { startSimulator } from "./server.js";
export type {
  Fault,
  FaultName,
  RecordedRequest,
  RunningSimulator,
  SimAccount,
  SimNumber,
  SimulatorOptions,
  Traffic,
} from "./types.js";
