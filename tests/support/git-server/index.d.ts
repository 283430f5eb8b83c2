export interface GitServerOptions {
  /** Folder holding bare repositories. */
  root: string;
  /** The password (token) every request must carry. */
  token: string;
  /** Accepted user names (default: any). */
  usernames?: string[];
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
}
export interface GitServerRequest {
  method: string;
  path: string;
  status: number;
  /** 'none' | 'wrong' | 'ok' — never the credentials themselves. */
  auth: 'none' | 'wrong' | 'ok';
}
export interface GitServer {
  url: string;
  requests(): GitServerRequest[];
  close(): Promise<void>;
}
export declare function startGitServer(o: GitServerOptions): Promise<GitServer>;
