// A TypeError thrown in a timer.
function total(order) { return order.total; }
setTimeout(() => total(undefined), 1);
