export { renderKubernetesTfJson, TEMPLATE_FILES, templateDir } from './template.js';
