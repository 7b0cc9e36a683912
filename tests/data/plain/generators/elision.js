// An error whose cause was created next to it: Node elides the frames they share.
const inner = new Error('inner');
const outer = new Error('outer', { cause: inner });
console.error(outer);
// An error whose stack was replaced by text with no frames.
const custom = new Error('x');
custom.stack = 'custom stack without frames';
custom.code = 'E_CUSTOM';
console.error(custom);
