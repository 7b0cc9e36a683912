// A promise rejected with a string: Node's UnhandledPromiseRejection.
Promise.reject('boom');
