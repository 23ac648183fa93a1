const { loadFacts } = require('./dist/facts/file.js');
const { evaluateInstance } = require('./dist/engine.js');
let f = loadFacts('/tmp/f10k.json');
let t=Date.now(); const ids = Object.keys(f.instances);
let r = ids.map(id => evaluateInstance(f, id)); console.log('results', Date.now()-t,'ms');
