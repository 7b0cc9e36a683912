// A thrown value that is not an Error.
throw "boom";
