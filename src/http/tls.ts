import type { ServerOptions } from "node:https";
import type { TLSSocket } from "node:tls";

import type { TlsSettings } from "./web-config.js";

/** What `node:https` needs for one TLS configuration, and a check for each connection. */
export interface HttpsSetup {
  readonly options: ServerOptions;
  /** Drops a connection whose client certificate the policy refuses. */
  readonly onSecureConnection: (socket: TLSSocket) => void;
}

/**
 * Translates the exporter toolkit's `client_auth_type` into Node's TLS options. Node
 * either verifies and requires a certificate or does neither, so the in-between
 * policies ask for one without verifying and decide per connection.
 */
export function httpsSetup(tls: TlsSettings): HttpsSetup {
  const type = tls.clientAuthType;
  const options: ServerOptions = {
    cert: tls.cert,
    key: tls.key,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.minVersion === undefined ? {} : { minVersion: tls.minVersion }),
    ...(tls.maxVersion === undefined ? {} : { maxVersion: tls.maxVersion }),
    requestCert: type !== "NoClientCert",
    rejectUnauthorized: type === "RequireAndVerifyClientCert",
  };

  const onSecureConnection = (socket: TLSSocket) => {
    const given = Object.keys(socket.getPeerCertificate()).length > 0;
    const refused =
      (type === "RequireAnyClientCert" && !given) ||
      (type === "VerifyClientCertIfGiven" && given && !socket.authorized);
    if (refused) socket.destroy();
  };
  return { options, onSecureConnection };
}
