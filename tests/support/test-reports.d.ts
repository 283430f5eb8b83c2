export interface ReportSummary {
  passed: number;
  failed: number;
  skipped: number;
  /** One line per failure: `path: test name: first line of the message`. */
  failures: string[];
  /** Report names (`libs-foo`) of the vitest reports found. */
  reported: Set<string>;
  /** Every file in the report folder, relative to it. */
  files: string[];
}
export declare function summarizeReports(options: { reportDir: string; root: string }): ReportSummary;
