// An async function rejected with an Error that has a cause.
async function main() {
  const e = new Error('db down', { cause: new Error('connect ECONNREFUSED 127.0.0.1:5432') });
  e.code = 'E_DB';
  throw e;
}
main();
