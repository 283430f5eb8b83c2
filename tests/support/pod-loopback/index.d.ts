/** A loopback service of the host, and what a pod sees of it. */
export interface PodLoopbackService {
  /** The host's server on 127.0.0.1:port; the pod connects to 127.0.0.1:port (same port) in its own namespace. */
  port: number;
  /** Terminate TLS here (PEM key and certificate), so the pod speaks HTTPS to a plain HTTP server. */
  tls?: { key: string; cert: string };
}

export interface PodLoopback {
  /** Bytes relayed per port, both directions (proves traffic went through). */
  bytes(port: number): number;
  close(): Promise<void>;
}

/**
 * Makes host services on 127.0.0.1 reachable on the same ports inside the network namespace of the
 * process `pid` (a pod's sandbox), through a relay started there with nsenter and a Unix socket per
 * service. Needs root (nsenter). Resolves once the relay listens.
 */
export declare function exposeToPod(options: { pid: number; services: PodLoopbackService[]; dir?: string }): Promise<PodLoopback>;
