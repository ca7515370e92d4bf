// mjml 5 ships no types and @types/mjml is not installed; only what we call is declared.
declare module 'mjml' {
  interface MjmlError { line?: number; message: string; tagName?: string; formattedMessage?: string }
  interface MjmlResult { html: string; errors: MjmlError[] }
  interface MjmlOptions {
    validationLevel?: 'strict' | 'soft' | 'skip';
    ignoreIncludes?: boolean;
    keepComments?: boolean;
    minify?: boolean;
    beautify?: boolean;
    filePath?: string;
  }
  export default function mjml2html(input: string, options?: MjmlOptions): Promise<MjmlResult>;
}
