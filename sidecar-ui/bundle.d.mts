export interface ControllerSpec {
  entry: string;
  out: string;
  extra: string;
  hooks: string[];
}
export const ROOT: string;
export const MODULE_DIR: string;
export const CONTROLLERS: ControllerSpec[];
export const SCRIPTS: Array<{ entry: string; out: string }>;
export const GENERATED: string[];
export function controllerSource(iife: string, spec: ControllerSpec): string;
export function buildSidecarUi(opts?: { outDir?: string }): Promise<string[]>;
