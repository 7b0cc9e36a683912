// An Error with own properties thrown at the top level.
function charge(order) {
  const err = new Error('payment declined for order ' + order);
  err.code = 'E_DECLINED';
  err.statusCode = 402;
  throw err;
}
charge(42);
