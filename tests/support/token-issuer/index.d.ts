export interface TokenAccess {
  type: string;
  name: string;
  actions: string[];
}
export interface TokenRequest {
  method: string;
  path: string;
  scopes: string[];
  user: string;
  granted: boolean;
}
export function parseScope(scope: string): TokenAccess | undefined;
export function signToken(options: { claims: Record<string, unknown>; keyPem: string; certPem: string }): string;
export function startTokenIssuer(options: {
  port?: number;
  users: Record<string, string>;
  keyFile: string;
  certFile: string;
  issuer: string;
  service: string;
  ttlSeconds?: number;
  /** Each request's log entry, before it is answered. */
  onRequest?: (request: TokenRequest) => void;
}): Promise<{ url: string; port: number; requests: TokenRequest[]; close(): Promise<void> }>;
