/** Regenerates the connector sections and the deployment guide inside README.md (`npm run docs`). */
import { writeFileSync } from 'node:fs';
import { renderReadme } from '../functions/shared/readme.js';

writeFileSync('README.md', renderReadme(process.cwd()));
console.log('README.md updated');
