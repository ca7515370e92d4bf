// `npm run build` imports this after bundling the service: writes the Sugar UI files into sugar-module/.
import { buildSidecarUi } from './bundle.mjs';

const files = await buildSidecarUi();
console.log(`sidecar-ui: ${files.length} files written under sugar-module/`);
