import { Nango } from '../dist/index.js';

export * from '../dist/index.js';
export default Nango;
